import SluiceCore
import SluiceMongo
import SluiceRollups
import Testing

@testable import SluiceControl

/// The recount behind `sluicectl rollups`: sessions, visitors and buckets counted from
/// stored documents as the worker counts the events.
@Suite struct DerivedRecountTests {
    static let hour: Int64 = 1_764_633_600_000  // 2025-12-02T00:00:00Z

    /// A stored event read back from canonical extended JSON, as `sluicectl` reads it.
    private func event(_ kind: EventKind, _ json: String) throws -> StoredEvent {
        let document = try #require(ExtendedJSON.document(json))
        return try #require(StoredEvent(kind: kind, document: document))
    }

    private func date(_ minutes: Int64) -> String { #"{"$date": {"$numberLong": "\#(Self.hour + minutes * 60_000)"}}"# }

    private func events() throws -> [StoredEvent] {
        let desktop = #""device": {"type": "desktop", "browser": "Firefox", "os": "Linux"}"#
        return [
            try event(
                .pageview, #"{"_id": "p1", "visitorId": "v1", "sessionId": "s1", "timestamp": \#(date(5)), "path": "/a", "channel": "direct", \#(desktop)}"#),
            try event(.pageview, #"{"_id": "p2", "visitorId": "v1", "sessionId": "s1", "timestamp": \#(date(15)), "path": "/b", \#(desktop)}"#),
            try event(
                .chat,
                #"{"_id": "c1", "visitorId": "v1", "sessionId": "s1", "timestamp": \#(date(10)), "agentId": "helper", "model": "m1", "#
                    + #""responseTime": {"$numberInt": "1200"}, "satisfied": true, "feedbackAt": \#(date(20)), \#(desktop)}"#),
            // Feedback that came before its chat, which never arrived: no sessionId field, no event of its own.
            try event(.chat, #"{"_id": "c2", "visitorId": "v2", "timestamp": \#(date(30)), "satisfied": false, "feedbackAt": \#(date(30))}"#),
            try event(.pageview, #"{"_id": "p3", "visitorId": "v2", "sessionId": "s2", "timestamp": \#(date(65)), "path": "/a"}"#),
            try event(.pageview, #"{"_id": "p4", "visitorId": "b1", "sessionId": null, "timestamp": \#(date(7)), "path": "/x", "device": {"type": "bot"}}"#),
        ]
    }

    @Test func sessionsAndVisitorsCountEveryHumanEventDocument() throws {
        let sessions = SessionTally.tally(try events())
        #expect(sessions.keys.sorted() == ["s1", "s2"])
        let s1 = try #require(sessions["s1"])
        #expect(s1.pageViews == 2 && s1.events == 3 && s1.startTime == Self.hour + 300_000 && s1.lastActivity == Self.hour + 900_000)
        #expect(s1.entry?.path == "/a" && s1.exit?.path == "/b" && s1.landing["channel"] == .string("direct"))
        #expect(s1.landing["device"]?.objectValue?["browser"] == .string("Firefox"))

        let visitors = VisitorTally.tally(try events())
        #expect(visitors.keys.sorted() == ["v1", "v2"])
        #expect(visitors["v1"]?.pageViews == 2 && visitors["v1"]?.visits == 1)
        #expect(visitors["v2"]?.pageViews == 1 && visitors["v2"]?.visits == 1 && visitors["v2"]?.firstVisit == Self.hour + 1_800_000)
    }

    @Test func bucketsCountContributionsFeedbackSessionsAndHumanVisitors() throws {
        var recount = RollupRecount()
        for event in try events() { recount.add(event) }
        let session = try #require(
            ExtendedJSON.document(
                #"{"_id": "s1", "startTime": \#(date(5)), "lastActivity": \#(date(15)), "pageViews": 2, "entryPage": "/a", "exitPage": "/b", "channel": "direct"}"#
            ))
        recount.add(session: session, site: nil)

        let first = try #require(recount.buckets[RollupBucket(site: "", granularity: .hour, start: Self.hour)])
        let human = first.counts.totals[.human] ?? [:]
        // Two page views and a chat; feedback makes no document, so no event of its own.
        #expect(human["pageViews"] == 2 && human["events"] == 3 && human["sessions"] == 1 && human["bounces"] == nil && human["duration"] == 600_000)
        // v2's only document in the first hour is a chat its feedback made: no event of its own.
        #expect(first.counts.totals[.bot]?["pageViews"] == 1 && first.visitorIds == ["v1"])
        #expect(first.counts.rows[.human]?["agent"]?["helper"]?["satisfied"] == 1)
        #expect(first.counts.rows[.human]?["agent"]?["helper"]?[RollupMetric.time(TimeHistogram.index(of: 1200))] == 1)
        #expect(first.counts.rows[.human]?["referrer"]?["(none)"]?["n"] == 1 && first.counts.rows[.human]?["entryPage"]?["/a"]?["n"] == 1)

        let day = try #require(recount.buckets[RollupBucket(site: "", granularity: .day, start: Self.hour)])
        #expect(day.counts.totals[.human]?["pageViews"] == 3 && day.visitorIds == ["v1", "v2"])
    }

    @Test func differencesNameTheFieldAndBothValues() throws {
        let sessions = SessionTally.tally(try events())
        let stored = try #require(
            ExtendedJSON.document(
                #"{"_id": "s1", "startTime": \#(date(5)), "lastActivity": \#(date(15)), "pageViews": {"$numberLong": "3"}, "events": 3}"#))
        let found = DerivedComparison.sessionDifferences(id: "s1", stored: stored, recomputed: sessions["s1"])
        #expect(found.map(\.line) == ["session s1 pageViews: stored 3, recomputed 2"])
        #expect(
            DerivedComparison.sessionDifferences(id: "s2", stored: nil, recomputed: sessions["s2"]).map(\.line)
                == ["session s2 document: stored none, recomputed 1 page views, 1 events"])

        var tally = RollupRecount.Tally()
        tally.visitorIds = Set((0..<100).map { "v\($0)" })
        let rollup = try #require(ExtendedJSON.document(#"{"_id": "h:1:", "human": {"visitors": 98, "pageViews": 4}}"#))
        // 98 of 100 is within 2%; the page views are not there at all.
        #expect(
            DerivedComparison.rollupDifferences(id: "h:1:", stored: rollup, recomputed: tally).map(\.line)
                == ["rollup h:1: human pageViews: stored 4, recomputed 0"])
        let far = try #require(ExtendedJSON.document(#"{"_id": "h:1:", "human": {"visitors": 97}}"#))
        #expect(DerivedComparison.rollupDifferences(id: "h:1:", stored: far, recomputed: tally).map(\.field) == ["human visitors"])
    }

    @Test func timesParseInEveryFormAndABadOneSaysWhy() throws {
        #expect(try TimeRangeOptions.milliseconds("2026-12-02T10:00:00Z", option: "--from") == 1_796_205_600_000)
        #expect(try TimeRangeOptions.milliseconds("2026-12-02", option: "--from") == 1_796_169_600_000)
        #expect(try TimeRangeOptions.milliseconds("1796169600000", option: "--to") == 1_796_169_600_000)
        #expect(throws: (any Error).self) { try TimeRangeOptions.milliseconds("yesterday", option: "--from") }
        #expect(parsingExitCode(["rollups", "verify", "--from", "yesterday"]) == .validationFailure)
        #expect(parsingExitCode(["rollups", "verify", "--from", "2026-12-02", "--to", "2026-12-01"]) == .validationFailure)
        #expect(parsingExitCode(["rollups", "rebuild", "--to", "2026-12-01", "--rollup-window", "-1"]) == .validationFailure)
        #expect(parsingExitCode(["rollups", "verify", "--to", "2026-12-01"]) == nil)
        // The worker's SLUICE_ROLLUP_WINDOW unless the flag says otherwise.
        #expect(try RollupsRebuildCommand.parse(["--rollup-window", "3600"]).window(environment: ["SLUICE_ROLLUP_WINDOW": "7200"]) == 3_600_000)
        #expect(try RollupsRebuildCommand.parse([]).window(environment: ["SLUICE_ROLLUP_WINDOW": "7200"]) == 7_200_000)
    }

    @Test func theFirstOpenHourIsTheFirstEndingWithinTheWindow() {
        let now = Self.hour + 50 * 3_600_000 + 1_000  // 50 h and a second after `hour`
        let window: Int64 = 48 * 3_600_000
        // Hours 0 and 1 ended more than 48 h ago; hour 2 ends 47 h and a bit ago.
        #expect(RollupsRebuildCommand.firstOpenHour(from: Self.hour, to: Self.hour + 2 * 3_600_000, now: now, window: window) == nil)
        #expect(
            RollupsRebuildCommand.firstOpenHour(from: Self.hour, to: Self.hour + 2 * 3_600_000 + 1, now: now, window: window)?.start == Self.hour + 2
                * 3_600_000)
        #expect(RollupsRebuildCommand.firstOpenHour(from: Self.hour + 10 * 3_600_000, to: now, now: now, window: window)?.start == Self.hour + 10 * 3_600_000)
    }
}
