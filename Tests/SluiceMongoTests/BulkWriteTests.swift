import SluiceCore
import SluiceTestSupport
import Testing

@testable import SluiceMongo

@Suite("MongoStore.bulkWrite against SecantusDB")
struct BulkWriteTests {
    @Test("a repeated _id is a duplicate, within one bulk and across bulks")
    func duplicates() throws {
        try FreshMongoDatabase.withStore { store in
            let first = try store.bulkWrite(
                collection: EventKind.pageview.collection,
                operations: ["a", "b", "a"].map { .insert(TestDatabase.document(id: $0)) })
            #expect(first.inserted == 2)
            #expect(first.duplicateIndexes == [2])
            #expect(first.failures.isEmpty)
            #expect(first.allStored)

            let second = try store.bulkWrite(
                collection: EventKind.pageview.collection,
                operations: ["b", "c"].map { .insert(TestDatabase.document(id: $0)) })
            #expect(second.inserted == 1)
            #expect(second.duplicateIndexes == [0])
            #expect(try store.countDocuments(collection: EventKind.pageview.collection, filterJSON: "{}") == 3)
        }
    }

    @Test("upserts apply $min, $max, $inc, $addToSet and $setOnInsert")
    func upsertOperators() throws {
        try FreshMongoDatabase.withStore { store in
            func visit(first: Int64, last: Int64, user: String) -> BulkOperation {
                let filter = TestDatabase.document(id: "visitor-1")
                let update = BSONDocumentBuilder()
                update.appendDocument("$min") { $0.appendDate("firstVisit", millisecondsSince1970: first) }
                update.appendDocument("$max") { $0.appendDate("lastVisit", millisecondsSince1970: last) }
                update.appendDocument("$inc") { $0.appendInt32("visits", 1) }
                update.appendDocument("$addToSet") { $0.appendString("userIds", user) }
                update.appendDocument("$setOnInsert") { $0.appendString("device", "desktop") }
                return .upsert(filter: filter, update: update)
            }
            let created = try store.bulkWrite(
                collection: StoreCollection.visitors, operations: [visit(first: 2000, last: 2000, user: "u1")])
            #expect(created.upserted == 1)
            #expect(created.matched == 0)

            let updated = try store.bulkWrite(
                collection: StoreCollection.visitors,
                operations: [visit(first: 1000, last: 3000, user: "u2"), visit(first: 1500, last: 2500, user: "u1")])
            #expect(updated.upserted == 0)
            #expect(updated.matched == 2)
            #expect(updated.modified == 2)
            #expect(updated.allStored)

            let documents = try store.findCanonicalJSON(collection: StoreCollection.visitors, filterJSON: #"{"_id": "visitor-1"}"#)
            let visitor = try TestDatabase.decode(try #require(documents.first))
            #expect((visitor["firstVisit"] as? [String: Any]).map { "\($0)" }?.contains("1000") == true)
            #expect(documents[0].contains(#""firstVisit" : { "$date" : { "$numberLong" : "1000" } }"#))
            #expect(documents[0].contains(#""lastVisit" : { "$date" : { "$numberLong" : "3000" } }"#))
            #expect(documents[0].contains(#""visits" : { "$numberInt" : "3" }"#))
            #expect(visitor["userIds"] as? [String] == ["u1", "u2"])
            #expect(visitor["device"] as? String == "desktop")
        }
    }

    @Test("upsertedIndexes names the upserts that created their document")
    func upsertedIndexes() throws {
        try FreshMongoDatabase.withStore { store in
            func touch(_ id: String) -> BulkOperation {
                let update = BSONDocumentBuilder()
                update.appendDocument("$inc") { $0.appendInt32("n", 1) }
                return .upsert(filter: TestDatabase.document(id: id), update: update)
            }
            _ = try store.bulkWrite(collection: StoreCollection.sessions, operations: [touch("old")])
            let outcome = try store.bulkWrite(
                collection: StoreCollection.sessions, operations: [.insert(TestDatabase.document(id: "plain")), touch("old"), touch("new-1"), touch("new-2")])
            #expect(outcome.upsertedIndexes.sorted() == [2, 3])
            #expect(outcome.upserted == 2)
            #expect(outcome.matched == 1)
        }
    }

    @Test("other errors are failures with the caller's index, the rest is stored")
    func failures() throws {
        try FreshMongoDatabase.withStore { store in
            let badIncrement = BSONDocumentBuilder()
            badIncrement.appendDocument("$inc") { $0.appendString("n", "not a number") }
            let noOperators = BSONDocumentBuilder()
            noOperators.appendInt32("plain", 1)
            let nulKey = TestDatabase.document(id: "x4") { $0.appendBool("bad\u{0}", true) }
            let operations: [BulkOperation] = [
                .insert(TestDatabase.document(id: "x0")),
                .upsert(filter: TestDatabase.document(id: "n"), update: badIncrement),
                .insert(TestDatabase.document(id: "x2")),
                .upsert(filter: TestDatabase.document(id: "m"), update: noOperators),
                .insert(nulKey),
                .insert(TestDatabase.document(id: "x0")),
                .insert(TestDatabase.document(id: "x6")),
            ]
            let outcome = try store.bulkWrite(collection: EventKind.tool.collection, operations: operations)
            #expect(outcome.inserted == 3)
            #expect(outcome.duplicateIndexes == [5])
            #expect(outcome.failures.map(\.index) == [1, 3, 4])
            let serverFailure = try #require(outcome.failures.first)
            #expect(serverFailure.code == 14)
            #expect(!serverFailure.rejectedBeforeSending)
            #expect(!serverFailure.message.isEmpty)
            #expect(outcome.failures.map(\.rejectedBeforeSending) == [false, true, true])
            #expect(!outcome.allStored)
            #expect(try store.countDocuments(collection: EventKind.tool.collection, filterJSON: "{}") == 3)
        }
    }

    @Test("a clash on a unique index other than _id is a failure, not 'already stored'")
    func otherUniqueIndex() throws {
        try FreshMongoDatabase.withStore { store in
            try store.createIndexes(
                collection: "users", indexes: [IndexSpec(name: "email_1", keys: [("email", 1)], unique: true)])
            let outcome = try store.bulkWrite(
                collection: "users",
                operations: [
                    .insert(TestDatabase.document(id: "1") { $0.appendString("email", "a@example.com") }),
                    .insert(TestDatabase.document(id: "2") { $0.appendString("email", "a@example.com") }),
                    .insert(TestDatabase.document(id: "1") { $0.appendString("email", "b@example.com") }),
                ])
            #expect(outcome.inserted == 1)
            #expect(outcome.failures.map(\.index) == [1])
            #expect(outcome.failures.first?.isDuplicateKey == true)
            #expect(outcome.duplicateIndexes == [2])
        }
    }

    @Test("deleteMany removes every match and counts them in deleted")
    func deleteMany() throws {
        try FreshMongoDatabase.withStore { store in
            let seeded = try store.bulkWrite(
                collection: EventKind.pageview.collection,
                operations: [("p1", "v-1"), ("p2", "v-1"), ("p3", "v-2"), ("p4", "v-1")].map { id, visitor in
                    .insert(TestDatabase.document(id: id) { $0.appendString("visitorId", visitor) })
                })
            #expect(seeded.inserted == 4)
            func visitor(_ id: String) -> BulkOperation {
                let filter = BSONDocumentBuilder()
                filter.appendString("visitorId", id)
                return .deleteMany(filter: filter)
            }
            let outcome = try store.bulkWrite(
                collection: EventKind.pageview.collection,
                operations: [visitor("v-1"), .insert(TestDatabase.document(id: "p5")), visitor("nobody")])
            #expect(outcome.deleted == 3)
            #expect(outcome.inserted == 1)
            #expect(outcome.allStored)
            #expect(try store.countDocuments(collection: EventKind.pageview.collection, filterJSON: "{}") == 2)

            let again = try store.bulkWrite(collection: EventKind.pageview.collection, operations: [visitor("v-1")])
            #expect(again == BulkWriteOutcome())

            let bad = BSONDocumentBuilder()
            bad.appendDocument("visitorId") { $0.appendString("$noSuchOperator", "x") }
            let refused = try store.bulkWrite(collection: EventKind.pageview.collection, operations: [.deleteMany(filter: bad), visitor("v-2")])
            #expect(refused.failures.map(\.index) == [0])
            #expect(refused.deleted == 1)
        }
    }

    @Test("concurrent bulk writes share the pool safely")
    func concurrentWrites() async throws {
        try await FreshMongoDatabase.withStore { store in
            let totals = try await withThrowingTaskGroup(of: Int.self) { group in
                for writer in 0..<4 {
                    group.addTask {
                        let operations = (0..<25).map {
                            BulkOperation.insert(TestDatabase.document(id: "\(writer)-\($0)"))
                        }
                        return try store.bulkWrite(collection: EventKind.api.collection, operations: operations).inserted
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(totals == 100)
            #expect(try store.countDocuments(collection: EventKind.api.collection, filterJSON: "{}") == 100)
        }
    }

    @Test("an unreachable server makes the outcome unknown and retryable, not a crash")
    func unreachable() throws {
        let store = try MongoStore(url: TestDatabase.unreachableURL, appName: "sluice-mongo-tests")
        defer { store.close() }
        do throws(MongoError) {
            _ = try store.bulkWrite(collection: EventKind.pageview.collection, operations: [.insert(TestDatabase.document(id: "a"))])
            Issue.record("expected outcomeUnknown")
        } catch {
            guard case .outcomeUnknown(let operation, let collection, let message) = error else {
                Issue.record("expected outcomeUnknown, got \(error)")
                return
            }
            #expect(operation == "bulkWrite")
            #expect(collection == EventKind.pageview.collection)
            #expect(!message.isEmpty)
            #expect(error.isRetryable)
        }
    }
}
