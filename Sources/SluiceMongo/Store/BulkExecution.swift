import CMongoc

/// One unordered bulk write on one collection: queues the operations,
/// executes them and classifies the reply.
struct BulkExecution {
    let collectionName: String
    let operations: [BulkOperation]

    private static let operation = "bulkWrite"

    /// Runs the bulk on `collection` (a `mongoc_collection_t`).
    func run(on collection: OpaquePointer) throws(MongoError) -> BulkWriteOutcome {
        let bulkOptions = BSONDocumentBuilder()
        bulkOptions.appendBool("ordered", false)
        let bulk = bulkOptions.withBSON { mongoc_collection_create_bulk_operation_with_opts(collection, $0) }!
        defer { mongoc_bulk_operation_destroy(bulk) }

        // Operations libmongoc refuses are not sent; `sent[i]` is the caller's
        // index of the i-th queued operation, which the reply's indexes count.
        let upsertOptions = BSONDocumentBuilder()
        upsertOptions.appendBool("upsert", true)
        var rejected: [BulkWriteFailure] = []
        var sent: [Int] = []
        sent.reserveCapacity(operations.count)
        for (index, operation) in operations.enumerated() {
            if let failure = queue(operation, index: index, on: bulk, upsertOptions: upsertOptions) {
                rejected.append(failure)
            } else {
                sent.append(index)
            }
        }
        if sent.isEmpty {
            return BulkWriteOutcome(failures: rejected)
        }

        var error = bson_error_t()
        let (executed, reply) = BSONStorage.withReply { reply in
            let executed = mongoc_bulk_operation_execute(bulk, reply, &error) != 0
            return (executed, BulkReply(reading: reply))
        }
        return try classify(executed: executed, error: error, reply: reply, sent: sent, rejected: rejected)
    }

    /// Queues one operation; returns a failure if libmongoc refuses it.
    private func queue(
        _ operation: BulkOperation, index: Int, on bulk: OpaquePointer, upsertOptions: BSONDocumentBuilder
    ) -> BulkWriteFailure? {
        if let reason = operation.appendFailure {
            return BulkWriteFailure(index: index, code: 0, message: reason, rejectedBeforeSending: true)
        }
        var error = bson_error_t()
        let queued: Bool
        switch operation {
        case .insert(let document):
            queued = document.withBSON { mongoc_bulk_operation_insert_with_opts(bulk, $0, nil, &error) }
        case .upsert(let filter, let update):
            queued = filter.withBSON { filter in
                update.withBSON { update in
                    upsertOptions.withBSON {
                        mongoc_bulk_operation_update_one_with_opts(bulk, filter, update, $0, &error)
                    }
                }
            }
        case .updateMany(let filter, let update):
            queued = filter.withBSON { filter in
                update.withBSON { mongoc_bulk_operation_update_many_with_opts(bulk, filter, $0, nil, &error) }
            }
        case .deleteMany(let filter):
            queued = filter.withBSON { mongoc_bulk_operation_remove_many_with_opts(bulk, $0, nil, &error) }
        }
        if queued { return nil }
        let cError = CError(error)
        return BulkWriteFailure(
            index: index, code: Int(cError.code), message: cError.message, rejectedBeforeSending: true)
    }

    /// Decides between "outcome known" (returned) and "outcome unknown" (thrown).
    ///
    /// In an unordered bulk `bson_error_t` shows only the first error, so the
    /// reply decides: a write concern error, or a failure with no
    /// `writeErrors` at all (network, server selection, a command error),
    /// leaves the outcome unknown. So does a failure whose counts do not
    /// cover every operation (see `accountsForEveryOperation`).
    private func classify(
        executed: Bool, error: bson_error_t, reply: BulkReply, sent: [Int], rejected: [BulkWriteFailure]
    ) throws(MongoError) -> BulkWriteOutcome {
        if !reply.writeConcernErrors.isEmpty {
            throw .outcomeUnknown(
                operation: Self.operation, collection: collectionName,
                message: "write concern error: " + reply.writeConcernErrors.joined(separator: "; "))
        }
        if !executed && reply.writeErrors.isEmpty {
            throw CError(error).mongoError(operation: Self.operation, collection: collectionName, context: .bulkWrite)
        }
        if let badIndex = reply.writeErrors.first(where: { !sent.indices.contains($0.index) }) {
            throw .outcomeUnknown(
                operation: Self.operation, collection: collectionName,
                message: "the reply has a write error for operation \(badIndex.index), outside the bulk: "
                    + badIndex.message)
        }
        if !executed && !accountsForEveryOperation(reply, sent: sent) {
            throw .outcomeUnknown(
                operation: Self.operation, collection: collectionName,
                message: "only part of the bulk has a result (a later command failed after write errors): "
                    + CError(error).message)
        }
        var outcome = BulkWriteOutcome(
            inserted: reply.inserted, upserted: reply.upserted, matched: reply.matched,
            modified: reply.modified, deleted: reply.removed, failures: rejected)
        outcome.upsertedIndexes = reply.upsertedIndexes.compactMap { sent.indices.contains($0) ? sent[$0] : nil }
        for writeError in reply.writeErrors {
            let index = sent[writeError.index]
            if writeError.isDuplicateID, operations[index].isInsert {
                outcome.duplicateIndexes.append(index)
            } else {
                outcome.failures.append(
                    BulkWriteFailure(index: index, code: writeError.code, message: writeError.message))
            }
        }
        outcome.duplicateIndexes.sort()
        outcome.failures.sort { $0.index < $1.index }
        return outcome
    }

    /// Whether the reply's counts cover every sent operation.
    ///
    /// libmongoc sends one command per run of same-type operations ([insert,
    /// upsert, insert] is three commands). If one command gets write errors
    /// and a later one fails on the network, both `bson_error_t` and the
    /// reply show only the write errors; the missing results are the only
    /// trace. Each insert yields exactly one insert or write error, each
    /// upsert one upsert, match or write error. `.updateMany` and
    /// `.deleteMany` may match any number of documents, so with them in the
    /// bulk the upsert check is only a lower bound.
    func accountsForEveryOperation(_ reply: BulkReply, sent: [Int]) -> Bool {
        var inserts = 0
        var upserts = 0
        for index in sent {
            switch operations[index] {
            case .insert: inserts += 1
            case .upsert: upserts += 1
            case .updateMany, .deleteMany: break
            }
        }
        var insertErrors = 0
        var otherErrors = 0
        for writeError in reply.writeErrors {
            if case .insert = operations[sent[writeError.index]] { insertErrors += 1 } else { otherErrors += 1 }
        }
        return reply.inserted + insertErrors == inserts
            && reply.upserted + reply.matched + otherErrors >= upserts
    }
}

extension BulkOperation {
    /// The first refused append in any of the operation's documents.
    var appendFailure: String? {
        switch self {
        case .insert(let document):
            document.appendFailure.map { "document: \($0)" }
        case .upsert(let filter, let update), .updateMany(let filter, let update):
            filter.appendFailure.map { "filter: \($0)" } ?? update.appendFailure.map { "update: \($0)" }
        case .deleteMany(let filter):
            filter.appendFailure.map { "filter: \($0)" }
        }
    }
}
