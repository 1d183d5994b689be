import SluiceCore
import SluiceMongo
import SluiceRedis

/// The stored sessions and visitors a batch touches that Redis holds no state for
/// (expired, or a returning visitor): read from MongoDB before the acknowledgement
/// step, which starts their state from them, so an absolute write never lowers a count.
package struct DerivedSeeds {
    /// Visitor id → first, last, visits, page views, returning ("1"/"0"), user ids (`\x1f`-joined),
    /// then the count of its funnel fields and each field and value (`VisitorFunnels`).
    var visitors: [String: [String]] = [:]
    /// Session id → start, last, page views, events, entry page, exit page, end ("" while open), landing JSON.
    var sessions: [String: [String]] = [:]
    /// Sessions the probe found in Redis: the script keeps their state and ignores
    /// the landing fields sent with them, so none need building.
    package var existingSessions: Set<String> = []

    /// No seeds: every visitor and session is new to the store.
    package init() {}

    /// Looks up what the partitions' `changes` need, for all of them at once: one probe
    /// pipeline and at most one find per collection for a whole batch. Sessions the
    /// stitcher opened in this batch cannot be stored yet.
    static func load(for changes: [DerivedChanges], redis: RedisConnection, store: MongoStore) throws -> DerivedSeeds {
        let visitorKeys = changes.flatMap { part in part.visitors.map { ($0.id, StreamLayout.visitorStateKey(visitorId: $0.id, partition: part.partition)) } }
        let sessionKeys = changes.flatMap { part in
            part.sessions.filter { !$0.opened }.map { ($0.id, StreamLayout.sessionStateKey(sessionId: $0.id, partition: part.partition)) }
        }
        let visitorIds = visitorKeys.map(\.0)
        let sessionIds = sessionKeys.map(\.0)
        let probes = (visitorKeys + sessionKeys).map { RedisCommand("EXISTS", $0.1) }
        guard !probes.isEmpty else { return DerivedSeeds() }
        let replies = try redis.pipeline(probes)
        if let message = replies.lazy.compactMap(\.errorMessage).first { throw RedisError.commandFailed(command: "EXISTS", message: message) }
        let missingVisitors = zip(visitorIds, replies).filter { $0.1.integer == 0 }.map(\.0)
        let sessionReplies = zip(sessionIds, replies.dropFirst(visitorIds.count))
        let missingSessions = sessionReplies.filter { $0.1.integer == 0 }.map(\.0)
        var seeds = DerivedSeeds()
        seeds.existingSessions = Set(sessionReplies.filter { $0.1.integer != 0 }.map(\.0))
        let partOfVisitor = Dictionary(changes.flatMap { part in part.visitors.map { ($0.id, part) } }) { first, _ in first }
        for document in try find(StoreCollection.visitors, ids: missingVisitors, in: store) {
            guard let id = document["_id"]?.stringValue, let part = partOfVisitor[id] else { continue }
            let funnels = VisitorFunnels.fields(ofStored: document, partition: part.partition, now: part.now, rollupWindow: part.rollupWindow)
            seeds.visitors[id] =
                [
                    StoredFields.date(document["firstVisit"]), StoredFields.date(document["lastVisit"]),
                    StoredFields.integer(document["visits"]), StoredFields.integer(document["pageViews"]),
                    document["returning"] == .bool(true) ? "1" : "0",
                    StoredFields.strings(document["userIds"]).prefix(VisitorState.maxUserIds).joined(separator: "\u{1F}"),
                    String(funnels.count),
                ] + funnels.flatMap { [$0.field, $0.value] }
        }
        for document in try find(StoreCollection.sessions, ids: missingSessions, in: store) {
            guard let id = document["_id"]?.stringValue else { continue }
            seeds.sessions[id] = [
                StoredFields.date(document["startTime"]), StoredFields.date(document["lastActivity"]),
                StoredFields.integer(document["pageViews"]), StoredFields.integer(document["events"]),
                document["entryPage"]?.stringValue ?? "", document["exitPage"]?.stringValue ?? "",
                document["endTime"].flatMap { $0 == .null ? nil : StoredFields.date($0) } ?? "",
                JSONWriter.string(of: .object(SessionState.landing(ofStored: document))),
            ]
        }
        return seeds
    }

    private static func find(_ collection: String, ids: [String], in store: MongoStore) throws(MongoError) -> [JSONObject] {
        guard !ids.isEmpty else { return [] }
        let filter = #"{"_id": {"$in": \#(JSONWriter.string(of: .array(ids.map(JSONValue.string))))}}"#
        return try store.findCanonicalJSON(collection: collection, filterJSON: filter).compactMap { try? JSONParser.parse($0).objectValue }
    }
}

/// Reads values out of a stored document's canonical extended JSON.
enum StoredFields {
    /// A BSON date as epoch milliseconds text ("0" when absent).
    static func date(_ value: JSONValue?) -> String {
        guard let date = value?.objectValue?["$date"] else { return "0" }
        if let text = date.objectValue?["$numberLong"]?.stringValue { return text }
        return date.numberValue.map { String(Int64($0)) } ?? "0"
    }

    /// An integer as text ("0" when absent).
    static func integer(_ value: JSONValue?) -> String {
        switch value {
        case .int(let number)?: return String(number)
        case .double(let number)?: return String(Int64(number))
        case .object(let object)?: return object["$numberLong"]?.stringValue ?? object["$numberInt"]?.stringValue ?? "0"
        default: return "0"
        }
    }

    /// The strings of an array.
    static func strings(_ value: JSONValue?) -> [String] {
        guard case .array(let items)? = value else { return [] }
        return items.compactMap(\.stringValue)
    }
}
