import SluiceCore
import SluiceTestSupport
import Testing

@testable import SluiceMongo

@Suite("MongoStore commands and queries against SecantusDB")
struct MongoStoreTests {
    @Test("ping answers")
    func ping() throws {
        try FreshMongoDatabase.withStore { store in try store.ping() }
    }

    @Test("dates are stored as BSON dates and can be queried as dates")
    func dates() throws {
        try FreshMongoDatabase.withStore { store in
            let document = TestDatabase.document(id: "e1") { event in
                event.appendDate("timestamp", millisecondsSince1970: 1_700_000_000_123)
                event.appendNull("endTime")
                event.appendDocument("device") { $0.appendString("type", "mobile") }
            }
            _ = try store.bulkWrite(collection: EventKind.pageview.collection, operations: [.insert(document)])
            let found = try store.findCanonicalJSON(collection: EventKind.pageview.collection, filterJSON: "{}")
            #expect(found.count == 1)
            #expect(found.first?.contains(#""timestamp" : { "$date" : { "$numberLong" : "1700000000123" } }"#) == true)
            let filter = #"{"timestamp": {"$gte": {"$date": {"$numberLong": "1700000000000"}}}, "endTime": null}"#
            #expect(try store.countDocuments(collection: EventKind.pageview.collection, filterJSON: filter) == 1)
            let later = #"{"timestamp": {"$gt": {"$date": "2023-11-14T22:13:20.200Z"}}}"#
            #expect(try store.countDocuments(collection: EventKind.pageview.collection, filterJSON: later) == 0)
        }
    }

    @Test("createIndexes is idempotent; a conflicting definition is a clear error")
    func createIndexesTwice() throws {
        try FreshMongoDatabase.withStore { store in
            let indexes = [
                IndexSpec(name: "timestamp_1", keys: [("timestamp", 1)]),
                IndexSpec(name: "visitor_time", keys: [("visitorId", 1), ("timestamp", -1)]),
                IndexSpec(name: "received_ttl", keys: [IndexKey("receivedAt")], expireAfterSeconds: 86_400),
            ]
            try store.createIndexes(collection: EventKind.pageview.collection, indexes: indexes)
            try store.createIndexes(collection: EventKind.pageview.collection, indexes: indexes)
            try store.createIndexes(collection: EventKind.pageview.collection, indexes: [])
            #expect(throws: MongoError.self) {
                try store.createIndexes(collection: EventKind.pageview.collection, indexes: [IndexSpec(name: "none", keys: [IndexKey]())])
            }
            do throws(MongoError) {
                try store.createIndexes(
                    collection: EventKind.pageview.collection, indexes: [IndexSpec(name: "timestamp_1", keys: [("other", 1)])])
                Issue.record("expected a conflicting index to fail")
            } catch {
                guard case .commandFailed(let operation, let collection, _, let message) = error else {
                    Issue.record("expected commandFailed, got \(error)")
                    return
                }
                #expect(operation == "createIndexes")
                #expect(collection == EventKind.pageview.collection)
                #expect(!message.isEmpty)
                #expect(!error.isRetryable)
            }
        }
    }

    @Test("countDocuments and findCanonicalJSON filter and limit")
    func countAndFind() throws {
        try FreshMongoDatabase.withStore { store in
            let operations = (0..<5).map { number in
                BulkOperation.insert(
                    TestDatabase.document(id: "d\(number)") { $0.appendString("kind", number < 3 ? "a" : "b") })
            }
            _ = try store.bulkWrite(collection: EventKind.event.collection, operations: operations)
            #expect(try store.countDocuments(collection: EventKind.event.collection, filterJSON: #"{"kind": "a"}"#) == 3)
            #expect(try store.countDocuments(collection: "missing", filterJSON: "{}") == 0)
            #expect(try store.findCanonicalJSON(collection: EventKind.event.collection, filterJSON: #"{"kind": "b"}"#).count == 2)
            #expect(try store.findCanonicalJSON(collection: EventKind.event.collection, filterJSON: "{}", limit: 2).count == 2)
            #expect(throws: MongoError.self) { try store.countDocuments(collection: EventKind.event.collection, filterJSON: "{oops") }
        }
    }

    @Test("ping on an unreachable server is a retryable error")
    func unreachablePing() throws {
        let store = try MongoStore(url: TestDatabase.unreachableURL, appName: "sluice-mongo-tests")
        defer { store.close() }
        do throws(MongoError) {
            try store.ping()
            Issue.record("expected an error")
        } catch {
            guard case .unavailable = error else {
                Issue.record("expected unavailable, got \(error)")
                return
            }
            #expect(error.isRetryable)
        }
    }
}
