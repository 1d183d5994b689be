import SluiceCore
import SluiceMongo

/// Per-session totals of one batch, written as one upsert per session, plus the
/// closing of sessions a new one replaced.
///
/// `startTime` (`$min`), `lastActivity` (`$max`) and `exitPage` (`$set`) are
/// safe to re-apply; `pageViews` and `events` count only newly stored events.
/// Entry page, referrer, campaign, channel and device are set when the session
/// document is created (from the first page view of that batch).
struct SessionRollup {
    private struct Totals {
        let visitorId: String
        var start: Int64
        var last: Int64
        var pageViews: Int64 = 0
        var events: Int64 = 0
        var entryPage: String?
        var exitPage: String?
        var landing: EnrichedEvent?
        var userId: String?
    }

    private var totals: [String: Totals] = [:]
    private(set) var order: [String] = []
    private var closings: [(id: String, lastActivity: Int64)] = []

    /// Adds a stored event that belongs to a session; `isNew` is false when MongoDB already had it.
    mutating func add(_ event: EnrichedEvent, isNew: Bool) {
        guard let session = event.session, !event.isBot else { return }
        var t = totals[session.sessionId] ?? Totals(visitorId: event.visitorId, start: event.timestamp, last: event.timestamp)
        if totals[session.sessionId] == nil { order.append(session.sessionId) }
        t.start = min(t.start, event.timestamp)
        t.last = max(t.last, event.timestamp)
        if isNew && !event.isEngagementUpdate { t.events += 1 }
        if event.isPageView {
            if isNew { t.pageViews += 1 }
            let path = event.path
            if t.entryPage == nil { t.entryPage = path }
            t.exitPage = path
        }
        if t.landing == nil, event.traffic != nil { t.landing = event }
        if let userId = event.decoded.event["userId"]?.stringValue { t.userId = userId }
        totals[session.sessionId] = t
        if session.isNew, let previous = session.previous { closings.append(previous) }
    }

    /// The visitor of a session in this batch.
    func visitorId(of sessionId: String) -> String? { totals[sessionId]?.visitorId }

    /// One upsert per session, in first-seen order (index i is `order[i]`).
    func operations() -> [BulkOperation] {
        order.map { sessionId in
            let t = totals[sessionId]!
            let update = BSONDocumentBuilder.rollup(
                earliest: ("startTime", t.start), latest: ("lastActivity", t.last), counters: [("pageViews", t.pageViews), ("events", t.events)])
            update.appendDocument("$setOnInsert") { insert in
                insert.appendString("visitorId", t.visitorId)
                insert.appendNull("endTime")
                if let entryPage = t.entryPage { insert.appendString("entryPage", entryPage) }
                if let landing = t.landing {
                    if let referrer = landing.decoded.event["referrer"]?.stringValue ?? landing.decoded.event["context"]?.objectValue?["referrer"]?.stringValue {
                        insert.appendString("referrer", referrer)
                    }
                    if let traffic = landing.traffic { EventDocument.appendTraffic(traffic, to: insert) }
                    if let device = landing.device { EventDocument.appendDevice(device, to: insert) }
                }
            }
            if t.exitPage != nil || t.userId != nil {
                update.appendDocument("$set") { set in
                    if let exitPage = t.exitPage { set.appendString("exitPage", exitPage) }
                    if let userId = t.userId { set.appendString("userId", userId) }
                }
            }
            return .upsert(filter: .filter(id: sessionId), update: update)
        }
    }

    /// Closes the sessions that new ones replaced: `endTime` = their last activity.
    func closingOperations() -> [BulkOperation] {
        closings.map { previous in
            let filter = BSONDocumentBuilder()
            filter.appendString("_id", previous.id)
            filter.appendNull("endTime")
            let update = BSONDocumentBuilder()
            update.appendDocument("$set") { $0.appendDate("endTime", millisecondsSince1970: previous.lastActivity) }
            return .updateMany(filter: filter, update: update)
        }
    }
}
