import SluiceCore
import SluiceMongo
import SluiceRedis
import Testing

@testable import SluiceWorker

/// Sessions named after their visitor (`<prefix>-<visitor>`), the first of each visitor
/// new; records what it was asked. `failing`: Redis refuses.
final class FixedSessions: SessionAssigner {
    let prefix: String
    let failing: Bool
    private(set) var asked: [(visitorId: String, timestamp: Int64)] = []
    private var seen: Set<String> = []

    init(prefix: String = "s", failing: Bool = false) {
        self.prefix = prefix
        self.failing = failing
    }

    func assign(_ requests: [(visitorId: String, timestamp: Int64)]) throws(RedisError) -> [SessionAssignment] {
        if failing { throw .commandFailed(command: "EVALSHA", message: "LOADING Redis is loading the dataset in memory") }
        asked += requests
        return requests.map { request in
            defer { seen.insert(request.visitorId) }
            return SessionAssignment(sessionId: "\(prefix)-\(request.visitorId)", isNew: !seen.contains(request.visitorId))
        }
    }
}

/// `BatchStore` in memory: documents by collection and `_id`. An insert of a stored `_id`
/// is a duplicate, an upsert creates its document from `$set` and `$setOnInsert` or adds
/// its `$set` to it; finds answer `{"_id": {"$in": [...]}}`. `refuse` answers an
/// operation with a failure instead, as a server rejecting a document would;
/// `unreachable` fails every call as a server that cannot be reached.
final class MemoryBatchStore: BatchStore {
    var documents: [String: [String: JSONObject]] = [:]
    /// The collections written, one per bulk, in order.
    private(set) var writes: [String] = []
    var refuse: (_ collection: String, _ id: String) -> BulkWriteFailure? = { _, _ in nil }
    var unreachable = false

    func bulkWrite(collection: String, operations: [BulkOperation]) throws(MongoError) -> BulkWriteOutcome {
        if unreachable {
            throw MongoError.unavailable(operation: "bulk write", collection: collection, message: "no suitable servers found (test store unreachable)")
        }
        writes.append(collection)
        var outcome = BulkWriteOutcome()
        for (index, operation) in operations.enumerated() {
            switch operation {
            case .insert(let document):
                let fields = Self.object(document)
                let id = fields["_id"]?.stringValue ?? ""
                if var failure = refuse(collection, id) {
                    failure.index = index
                    outcome.failures.append(failure)
                } else if documents[collection]?[id] != nil {
                    outcome.duplicateIndexes.append(index)
                } else {
                    documents[collection, default: [:]][id] = fields
                    outcome.inserted += 1
                }
            case .upsert(let filter, let update):
                let id = Self.object(filter)["_id"]?.stringValue ?? ""
                if var failure = refuse(collection, id) {
                    failure.index = index
                    outcome.failures.append(failure)
                    continue
                }
                let changes = Self.object(update)
                var document = documents[collection]?[id] ?? JSONObject([("_id", .string(id))])
                if documents[collection]?[id] == nil {
                    outcome.upserted += 1
                    outcome.upsertedIndexes.append(index)
                    for member in changes["$setOnInsert"]?.objectValue?.members ?? [] { document[member.key] = member.value }
                } else {
                    outcome.matched += 1
                }
                for member in changes["$set"]?.objectValue?.members ?? [] { document[member.key] = member.value }
                documents[collection, default: [:]][id] = document
            case .updateMany, .deleteMany:
                Issue.record("a batch sent \(operation) to \(collection)")
            }
        }
        return outcome
    }

    func documents(in collection: String, matching filterJSON: String) throws(MongoError) -> [String] {
        if unreachable {
            throw MongoError.unavailable(operation: "find", collection: collection, message: "no suitable servers found (test store unreachable)")
        }
        guard case .array(let ids)? = (try? JSONParser.parse(filterJSON))?.objectValue?["_id"]?.objectValue?["$in"] else { return [] }
        return ids.compactMap { $0.stringValue.flatMap { documents[collection]?[$0] } }.map { JSONWriter.string(of: .object($0)) }
    }

    /// A builder's document as parsed from its canonical extended JSON.
    static func object(_ document: BSONDocumentBuilder) -> JSONObject {
        (try? JSONParser.parse(document.canonicalExtendedJSON))?.objectValue ?? JSONObject()
    }
}
