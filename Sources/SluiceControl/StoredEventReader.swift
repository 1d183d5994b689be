import SluiceCore
import SluiceMongo

/// Reads stored documents for `sluicectl rollups`: plain finds, filtered and counted
/// client side, since a store's aggregation over raw events is slow (SecantusDB's most
/// of all) and a find streams.
struct StoredEventReader {
    /// Ids per `$in` query.
    static let idsPerQuery = 200

    let store: MongoStore

    /// Calls `body` with every event document of the six collections whose
    /// `timestamp` lies in `[from, to)`.
    func forEachEvent(from: Int64, to: Int64, _ body: (StoredEvent) -> Void) throws(MongoError) {
        try forEachEvent(filter: Self.timeFilter("timestamp", from, to), body)
    }

    /// Every event document whose `field` (`sessionId` or `visitorId`) is one of `ids`,
    /// with the fields sessions and visitors are counted from.
    func events(whose field: String, isIn ids: some Collection<String>) throws(MongoError) -> [StoredEvent] {
        var events: [StoredEvent] = []
        let projection = JSONValue.object(JSONObject(StoredEvent.sessionProjection.map { ($0, .int(1)) }))
        let options = JSONWriter.string(of: .object(JSONObject([("projection", projection)])))
        for chunk in Self.chunks(of: ids) {
            try forEachEvent(filter: Self.inFilter(field, chunk), options: options) { events.append($0) }
        }
        return events
    }

    /// The documents of `collection` whose `_id` is one of `ids`, by id.
    func documents(_ collection: String, ids: some Collection<String>) throws(MongoError) -> [String: JSONObject] {
        var found: [String: JSONObject] = [:]
        for chunk in Self.chunks(of: ids) {
            try forEachDocument(collection, filter: Self.inFilter("_id", chunk)) { found[$0["_id"]?.stringValue ?? ""] = $0 }
        }
        return found
    }

    /// The documents of `collection` whose date `field` lies in `[from, to)`, by id.
    func documents(_ collection: String, whose field: String, from: Int64, to: Int64) throws(MongoError) -> [String: JSONObject] {
        var found: [String: JSONObject] = [:]
        try forEachDocument(collection, filter: Self.timeFilter(field, from, to)) { found[$0["_id"]?.stringValue ?? ""] = $0 }
        return found
    }

    /// Calls `body` with each matching document of `collection`, with plain values.
    private func forEachDocument(_ collection: String, filter: String, _ body: (JSONObject) -> Void) throws(MongoError) {
        try store.forEachCanonicalJSON(collection: collection, filterJSON: filter) { text in
            if let document = ExtendedJSON.document(text) { body(document) }
        }
    }

    /// Calls `body` with each matching document of the six event collections.
    private func forEachEvent(filter: String, options: String = "{}", _ body: (StoredEvent) -> Void) throws(MongoError) {
        for (collection, kind) in StoredEvent.collections {
            try store.forEachCanonicalJSON(collection: collection, filterJSON: filter, optionsJSON: options) { text in
                if let document = ExtendedJSON.document(text), let event = StoredEvent(kind: kind, document: document) { body(event) }
            }
        }
    }

    /// `{field: {$gte: from, $lt: to}}` over BSON dates.
    static func timeFilter(_ field: String, _ from: Int64, _ to: Int64) -> String {
        #"{"\#(field)": {"$gte": {"$date": {"$numberLong": "\#(from)"}}, "$lt": {"$date": {"$numberLong": "\#(to)"}}}}"#
    }

    /// `{field: {$in: ids}}`.
    static func inFilter(_ field: String, _ ids: [String]) -> String {
        JSONWriter.string(of: .object(JSONObject([(field, .object(JSONObject([("$in", .array(ids.map(JSONValue.string)))])))])))
    }

    /// `ids` sorted, in slices of `idsPerQuery`.
    private static func chunks(of ids: some Collection<String>) -> [[String]] {
        let sorted = ids.sorted()
        return stride(from: 0, to: sorted.count, by: idsPerQuery).map { Array(sorted[$0..<min($0 + idsPerQuery, sorted.count)]) }
    }
}
