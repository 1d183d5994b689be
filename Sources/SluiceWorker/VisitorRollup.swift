import SluiceMongo
import SluiceUserAgent

/// Per-visitor totals of one batch, written as one upsert per visitor.
///
/// `firstVisit`/`lastVisit` use `$min`/`$max`, `userIds` `$addToSet` and
/// `device` `$set`, so re-applying them changes nothing. `userIds` stops
/// growing near `maxUserIds`, so no sender can grow a visitor document towards
/// MongoDB's 16 MB limit; every event keeps its own `userId`. `pageViews` and
/// `visits` are `$inc`s counted only from page views and sessions this batch
/// newly created, so a redelivery never inflates them. Bots are not visitors.
struct VisitorRollup {
    private struct Totals {
        var first: Int64
        var last: Int64
        var pageViews: Int64 = 0
        var visits: Int64 = 0
        var userIds: [String] = []
        var device: DeviceInfo?
    }

    /// `userIds` takes new ids only while it holds fewer than this many, and one batch
    /// adds at most this many: a visitor keeps under twice this number.
    static let maxUserIds = 50

    private var totals: [String: Totals] = [:]
    private var order: [String] = []

    /// Adds a stored event; `isNew` is false when MongoDB already had it.
    mutating func add(_ event: EnrichedEvent, isNew: Bool) {
        guard !event.isBot else { return }
        var t = totals[event.visitorId] ?? Totals(first: event.timestamp, last: event.timestamp)
        if totals[event.visitorId] == nil { order.append(event.visitorId) }
        t.first = min(t.first, event.timestamp)
        t.last = max(t.last, event.timestamp)
        if isNew && event.isPageView { t.pageViews += 1 }
        if let userId = event.decoded.event["userId"]?.stringValue, t.userIds.count < Self.maxUserIds, !t.userIds.contains(userId) {
            t.userIds.append(userId)
        }
        if let device = event.device { t.device = device }
        totals[event.visitorId] = t
    }

    /// Counts a session this batch created for the visitor.
    mutating func addNewSession(visitorId: String) {
        totals[visitorId]?.visits += 1
    }

    /// One upsert per visitor, in first-seen order.
    func operations() -> [BulkOperation] {
        order.map { visitorId in
            let t = totals[visitorId]!
            let update = BSONDocumentBuilder.rollup(
                earliest: ("firstVisit", t.first), latest: ("lastVisit", t.last), counters: [("pageViews", t.pageViews), ("visits", t.visits)])
            update.appendDocument("$setOnInsert") { $0.appendBool("returning", false) }
            if let device = t.device { update.appendDocument("$set") { EventDocument.appendDevice(device, to: $0) } }
            return .upsert(filter: .filter(id: visitorId), update: update)
        }
    }

    /// Adds each visitor's new user ids, unless it already holds `maxUserIds`: an
    /// update apart from the upsert, whose filter cannot hold the condition.
    func userIdOperations() -> [BulkOperation] {
        order.compactMap { visitorId in
            guard let userIds = totals[visitorId]?.userIds, !userIds.isEmpty else { return nil }
            let filter = BSONDocumentBuilder.filter(id: visitorId)
            filter.appendDocument("userIds.\(Self.maxUserIds - 1)") { $0.appendBool("$exists", false) }
            let update = BSONDocumentBuilder()
            update.appendDocument("$addToSet") { set in
                set.appendDocument("userIds") { each in each.appendArray("$each") { array in userIds.forEach { array.appendString($0) } } }
            }
            return .updateMany(filter: filter, update: update)
        }
    }

    /// Marks visitors `returning` once they have more than one session: one update
    /// by `_id` per visitor with a new session (an `_id: {$in: [...]}` over a whole
    /// batch was the slowest write of the batch on SecantusDB). Visitors whose
    /// document this batch created (indexes into `operations()`) with a single
    /// session so far cannot be returning and are skipped.
    func returningOperations(created: Set<Int>) -> [BulkOperation] {
        order.enumerated().compactMap { index, visitorId in
            let visits = totals[visitorId]?.visits ?? 0
            guard visits > 0, !(created.contains(index) && visits < 2) else { return nil }
            let filter = BSONDocumentBuilder.filter(id: visitorId)
            filter.appendBool("returning", false)
            filter.appendDocument("visits") { $0.appendInt32("$gt", 1) }
            let update = BSONDocumentBuilder()
            update.appendDocument("$set") { $0.appendBool("returning", true) }
            return .updateMany(filter: filter, update: update)
        }
    }
}
