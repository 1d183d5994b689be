import Testing

@testable import SluiceMongo

@Suite("BulkExecution reply accounting")
struct BulkExecutionTests {
    private let execution = BulkExecution(
        collectionName: "c",
        operations: [
            .insert(TestDatabase.document(id: "a")),
            .upsert(filter: TestDatabase.document(id: "v"), update: BSONDocumentBuilder()),
            .insert(TestDatabase.document(id: "b")),
        ])

    private func reply(inserted: Int, upserted: Int = 0, matched: Int = 0, errorIndexes: [Int]) -> BulkReply {
        var reply = BulkReply()
        reply.inserted = inserted
        reply.upserted = upserted
        reply.matched = matched
        reply.writeErrors = errorIndexes.map { BulkReply.WriteError(index: $0, code: 11000, message: "dup") }
        return reply
    }

    @Test("every operation has a result: outcome known")
    func complete() {
        #expect(
            execution.accountsForEveryOperation(reply(inserted: 1, upserted: 1, errorIndexes: [0]), sent: [0, 1, 2]))
        #expect(execution.accountsForEveryOperation(reply(inserted: 2, errorIndexes: [1]), sent: [0, 1, 2]))
        #expect(execution.accountsForEveryOperation(reply(inserted: 1, matched: 1, errorIndexes: [1]), sent: [0, 2]))
    }

    @Test("a command lost after write errors is detected")
    func partial() {
        // The first insert command failed with a duplicate, the upsert and
        // the last insert were never answered (network error).
        #expect(!execution.accountsForEveryOperation(reply(inserted: 0, errorIndexes: [0]), sent: [0, 1, 2]))
        #expect(
            !execution.accountsForEveryOperation(reply(inserted: 0, upserted: 1, errorIndexes: [0]), sent: [0, 1, 2]))
    }

    @Test("duplicate keys only count as stored when they are on _id")
    func duplicateID() {
        let withPattern = BulkReply.WriteError(index: 0, code: 11000, message: "E11000", keyPattern: ["_id"])
        #expect(withPattern.isDuplicateID)
        let otherIndex = BulkReply.WriteError(index: 0, code: 11000, message: "E11000", keyPattern: ["email"])
        #expect(!otherIndex.isDuplicateID)
        let legacy = BulkReply.WriteError(
            index: 0, code: 11000, message: "E11000 duplicate key error collection: db.c index: _id_ dup key: { : 1 }")
        #expect(legacy.isDuplicateID)
        let legacyOther = BulkReply.WriteError(
            index: 0, code: 11000,
            message: "E11000 duplicate key error collection: db.c index: email_1 dup key: { : 1 }")
        #expect(!legacyOther.isDuplicateID)
        #expect(!BulkReply.WriteError(index: 0, code: 14, message: "x").isDuplicateID)
    }
}
