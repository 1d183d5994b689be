import SluiceCore
import SluiceRollups

/// Roll-up buckets counted again: what each event adds (`RollupContribution`), the
/// session part from session documents, chat feedback from the chats it is on, and the
/// exact set of human visitors of each bucket.
struct RollupRecount {
    /// One bucket's counts and its human visitors.
    struct Tally {
        var counts = RollupCounts()
        var visitorIds: Set<String> = []
    }

    private(set) var buckets: [RollupBucket: Tally] = [:]

    /// Adds one stored event: its contribution, its visitor and, for a chat, its feedback's verdict.
    mutating func add(_ event: StoredEvent) {
        guard event.isEvent else { return }
        let who: RollupAudience = event.isBot ? .bot : .human
        var delta = RollupDelta()
        RollupContribution.add(event.facts, to: &delta)
        if let satisfied = event.satisfied {
            let metric = satisfied ? RollupMetric.satisfied : RollupMetric.unsatisfied
            for (dimension, value) in RollupContribution.chatRows(event.facts) { delta.add(who, dimension.rawValue, value, metric) }
        }
        add(delta, of: event, at: event.timestamp)
    }

    /// Adds `delta` and the event's human visitor to the hour and day holding `time`.
    private mutating func add(_ delta: RollupDelta, of event: StoredEvent, at time: Int64) {
        for bucket in RollupBucket.both(site: event.facts.site, containing: time) {
            buckets[bucket, default: Tally()].counts.add(delta)
            if !event.isBot, let visitorId = event.visitorId { buckets[bucket]!.visitorIds.insert(visitorId) }
        }
    }

    /// Adds the funnel rows `tally` counted (in the buckets of each visitor's first step).
    mutating func add(funnels tally: FunnelTally) {
        for (bucket, delta) in tally.rows { buckets[bucket, default: Tally()].counts.add(delta) }
    }

    /// Adds the session part of a session document (plain values): sessions, bounces,
    /// duration and one row per session in each session dimension, in `site`'s buckets
    /// holding its start.
    mutating func add(session document: JSONObject, site: String?) {
        guard case .int(let start)? = document["startTime"] else { return }
        let last = document["lastActivity"].flatMap { if case .int(let time) = $0 { time } else { nil } } ?? start
        let pageViews = document["pageViews"]?.numberValue ?? 0
        var delta = RollupDelta()
        delta.add(.human, total: RollupTotal.sessions.rawValue)
        if pageViews < 2 { delta.add(.human, total: RollupTotal.bounces.rawValue) }
        delta.add(.human, total: RollupTotal.duration.rawValue, by: last - start)
        for (dimension, value) in Self.sessionRows(document) { delta.add(.human, dimension.rawValue, value) }
        for bucket in RollupBucket.both(site: site, containing: start) { buckets[bucket, default: Tally()].counts.add(delta) }
    }

    /// A session's value in each session dimension ("" counts as "(none)").
    static func sessionRows(_ document: JSONObject) -> [(RollupDimension, String)] {
        let utm = document["utm"]?.objectValue
        let device = document["device"]?.objectValue
        func text(_ value: JSONValue?) -> String { value?.stringValue ?? "" }
        return [
            (.entryPage, text(document["entryPage"])), (.exitPage, text(document["exitPage"])), (.referrer, text(document["referrerHost"])),
            (.channel, text(document["channel"])), (.utmSource, text(utm?["source"])), (.utmMedium, text(utm?["medium"])),
            (.utmCampaign, text(utm?["campaign"])), (.deviceType, text(device?["type"])), (.browser, text(device?["browser"])),
            (.os, text(device?["os"])),
        ]
    }
}
