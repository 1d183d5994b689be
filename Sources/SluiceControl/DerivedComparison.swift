import Foundation
import SluiceCore
import SluiceRollups

/// Compares what MongoDB stores with a `DerivedRecount`: every difference, sessions
/// first, then visitors, then roll-up buckets in time order.
enum DerivedComparison {
    /// The stored `human.visitors` may differ from the exact count by this fraction (at
    /// least 1): the worker counts with a Redis HyperLogLog.
    static let visitorTolerance = 0.02

    /// Every difference between the stored documents and the recount; the roll-ups' session
    /// part comes from `sessionDocuments` (the stored sessions, or the rewritten ones).
    static func differences(_ recount: DerivedRecount, sessionDocuments: [String: JSONObject]) -> [DerivedDifference] {
        var found: [DerivedDifference] = []
        for id in recount.sessionIds {
            found += sessionDifferences(id: id, stored: recount.storedSessions[id], recomputed: recount.sessions[id])
        }
        for id in recount.visitors.keys.sorted() {
            found += visitorDifferences(id: id, stored: recount.storedVisitors[id], recomputed: recount.visitors[id]!)
            if let stored = recount.storedVisitors[id] { found += recount.funnels.differences(visitorId: id, stored: stored) }
        }
        let tallies = recount.rollups(sessionDocuments: sessionDocuments)
        for bucket in recount.buckets {
            found += rollupDifferences(id: bucket.name, stored: recount.storedRollups[bucket.name], recomputed: tallies[bucket]!)
        }
        return found
    }

    /// A session's differences: a missing document or event, else each of pageViews, events, startTime, lastActivity.
    static func sessionDifferences(id: String, stored: JSONObject?, recomputed: SessionTally?) -> [DerivedDifference] {
        func difference(_ field: String, _ stored: String, _ recomputed: String) -> DerivedDifference {
            DerivedDifference(subject: .session, id: id, field: field, stored: stored, recomputed: recomputed)
        }
        guard let stored else {
            return [difference("document", "none", recomputed.map { "\($0.pageViews) page views, \($0.events) events" } ?? "none")]
        }
        guard let recomputed else { return [difference("document", "\(count(stored["events"])) events", "no stored event of the session")] }
        var found: [DerivedDifference] = []
        for (field, value) in [("pageViews", recomputed.pageViews), ("events", recomputed.events)] where count(stored[field]) != value {
            found.append(difference(field, String(count(stored[field])), String(value)))
        }
        for (field, value) in [("startTime", recomputed.startTime), ("lastActivity", recomputed.lastActivity)] {
            let time = DerivedRecount.time(stored[field])
            if time != value { found.append(difference(field, DerivedDifference.text(time, isTime: true), DerivedDifference.text(value, isTime: true))) }
        }
        return found
    }

    /// A visitor's differences: a missing document, else pageViews and visits.
    static func visitorDifferences(id: String, stored: JSONObject?, recomputed: VisitorTally) -> [DerivedDifference] {
        func difference(_ field: String, _ stored: String, _ recomputed: String) -> DerivedDifference {
            DerivedDifference(subject: .visitor, id: id, field: field, stored: stored, recomputed: recomputed)
        }
        guard let stored else { return [difference("document", "none", "\(recomputed.pageViews) page views, \(recomputed.visits) visits")] }
        return [("pageViews", recomputed.pageViews), ("visits", recomputed.visits)].compactMap { field, value in
            count(stored[field]) == value ? nil : difference(field, String(count(stored[field])), String(value))
        }
    }

    /// A bucket's differences: a missing document, else every count (`RollupCounts.differences`)
    /// and `human.visitors` beyond the tolerance.
    static func rollupDifferences(id: String, stored: JSONObject?, recomputed: RollupRecount.Tally) -> [DerivedDifference] {
        func difference(_ field: String, _ stored: String, _ recomputed: String) -> DerivedDifference {
            DerivedDifference(subject: .rollup, id: id, field: field, stored: stored, recomputed: recomputed)
        }
        let exactVisitors = Int64(recomputed.visitorIds.count)
        guard let stored else {
            let events = recomputed.counts.totals.values.reduce(0) { $0 + ($1[RollupTotal.events.rawValue] ?? 0) }
            return [difference("document", "none", "\(events) events, \(exactVisitors) human visitors")]
        }
        var found = RollupDocument.counts(of: stored).capped().differences(from: recomputed.counts.capped()).map { line -> DerivedDifference in
            // "<what>: <stored> vs <recomputed>"; the counts hold no ": ", the value may.
            let split = line.range(of: ": ", options: .backwards)!
            let values = line[split.upperBound...].components(separatedBy: " vs ")
            return difference(String(line[..<split.lowerBound]), values[0], values[1])
        }
        let storedVisitors = count(stored["human"]?.objectValue?["visitors"])
        let tolerance = max(1, Int64((Double(exactVisitors) * visitorTolerance).rounded(.down)))
        if abs(storedVisitors - exactVisitors) > tolerance {
            found.append(difference("human visitors", String(storedVisitors), "\(exactVisitors) (exact; within \(tolerance) passes)"))
        }
        return found
    }

    /// A stored count (plain value), 0 when missing.
    private static func count(_ value: JSONValue?) -> Int64 {
        switch value {
        case .int(let count)?: return count
        case .double(let count)?: return Int64(count)
        default: return 0
        }
    }
}
