import SluiceMongo

/// Per-visitor totals of one batch, written as one upsert per visitor.
///
/// `firstVisit`/`lastVisit` use `$min`/`$max` and `userIds` `$addToSet`, so
/// re-applying them changes nothing. `pageViews` is an `$inc`, so it only
/// counts page views this batch newly inserted (not duplicates of a redelivery).
struct VisitorRollup {
    private struct Totals {
        var first: Int64
        var last: Int64
        var pageViews: Int64 = 0
        var userIds: [String] = []
    }

    private var totals: [String: Totals] = [:]
    private var order: [String] = []

    /// Adds a stored event; `isNew` is false when MongoDB already had it.
    mutating func add(_ event: DecodedEvent, isNew: Bool) {
        if totals[event.visitorId] == nil {
            totals[event.visitorId] = Totals(first: event.timestamp, last: event.timestamp)
            order.append(event.visitorId)
        }
        totals[event.visitorId]!.first = min(totals[event.visitorId]!.first, event.timestamp)
        totals[event.visitorId]!.last = max(totals[event.visitorId]!.last, event.timestamp)
        if isNew && event.kind == .pageview { totals[event.visitorId]!.pageViews += 1 }
        if let userId = event.event["userId"]?.stringValue, !totals[event.visitorId]!.userIds.contains(userId) {
            totals[event.visitorId]!.userIds.append(userId)
        }
    }

    /// One upsert per visitor, in first-seen order.
    func operations() -> [BulkOperation] {
        order.map { visitorId in
            let t = totals[visitorId]!
            let filter = BSONDocumentBuilder()
            filter.appendString("_id", visitorId)
            let update = BSONDocumentBuilder()
            update.appendDocument("$min") { $0.appendDate("firstVisit", millisecondsSince1970: t.first) }
            update.appendDocument("$max") { $0.appendDate("lastVisit", millisecondsSince1970: t.last) }
            update.appendDocument("$inc") { $0.appendInt64("pageViews", t.pageViews) }
            if !t.userIds.isEmpty {
                update.appendDocument("$addToSet") { set in
                    set.appendDocument("userIds") { each in each.appendArray("$each") { array in t.userIds.forEach { array.appendString($0) } } }
                }
            }
            return .upsert(filter: filter, update: update)
        }
    }
}
