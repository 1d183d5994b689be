import Foundation
import SluiceCore
import SluiceMongo
import SluiceTestSupport
import Testing

/// A MongoDB database of its own for one test, on the server the test command started,
/// dropped when the test ends.
struct TestMongo {
    let url: String
    let store: MongoStore

    /// Runs `body` with a fresh database; fails (never skips) without `SLUICE_TEST_MONGO_URL`.
    static func withFresh<R>(_ body: (TestMongo) throws -> R) throws -> R {
        try FreshMongoDatabase.withStore(prefix: "sluicectl", appName: "sluice-control-tests") { store in
            try body(TestMongo(url: try FreshMongoDatabase.url(database: store.databaseName), store: store))
        }
    }

    /// Inserts documents `{_id, visitorId?, userId?, timestamp}` into `collection`.
    func insert(_ collection: String, _ documents: [(id: String, visitorId: String?, userId: String?)]) throws {
        let operations = documents.map { document in
            let builder = BSONDocumentBuilder()
            builder.appendString("_id", document.id)
            if let visitorId = document.visitorId { builder.appendString("visitorId", visitorId) }
            if let userId = document.userId { builder.appendString("userId", userId) } else { builder.appendNull("userId") }
            builder.appendDate("timestamp", millisecondsSince1970: 1_767_323_045_678)
            return BulkOperation.insert(builder)
        }
        let outcome = try store.bulkWrite(collection: collection, operations: operations)
        try #require(outcome.inserted == documents.count, "seeding \(collection): \(outcome)")
    }

    /// Inserts a visitors document `{_id, userIds}`.
    func insertVisitor(_ id: String, userIds: [String] = []) throws {
        let builder = BSONDocumentBuilder()
        builder.appendString("_id", id)
        builder.appendArray("userIds") { array in userIds.forEach { array.appendString($0) } }
        builder.appendDate("lastVisit", millisecondsSince1970: 1_767_323_045_678)
        try #require(try store.bulkWrite(collection: StoreCollection.visitors, operations: [.insert(builder)]).inserted == 1)
    }

    /// The `_id`s in `collection`, sorted.
    func ids(_ collection: String) throws -> [String] {
        try store.findCanonicalJSON(collection: collection, filterJSON: "{}").map { text in
            let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
            return try #require(object?["_id"] as? String)
        }.sorted()
    }
}
