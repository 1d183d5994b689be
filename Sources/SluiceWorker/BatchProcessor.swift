import Logging
import SluiceCore
import SluiceMongo

/// What became of one batch once MongoDB has it.
struct BatchResult {
    /// Entries to acknowledge: stored, already stored, deleted, or dead-lettered.
    var acknowledge: [StreamMessage] = []
    /// Entries that can never be stored, with the reason.
    var deadLetters: [(message: StreamMessage, reason: String)] = []
    /// Events newly written.
    var stored = 0
    /// Events MongoDB already had (a redelivery).
    var duplicates = 0
}

/// A failure after which the whole batch is tried again later; nothing is acknowledged.
struct RetryableBatchError: Error, CustomStringConvertible {
    let description: String
}

/// Decodes a batch of entries and writes them: one unordered bulk per collection, then visitors.
struct BatchProcessor {
    let store: MongoStore
    let logger: Logger

    /// Writes the batch. Throws `RetryableBatchError` when the outcome is unknown or
    /// MongoDB is unreachable; re-running the same batch is then safe.
    func process(_ messages: [StreamMessage]) throws(RetryableBatchError) -> BatchResult {
        var result = BatchResult()
        var events: [DecodedEvent] = []
        for message in messages {
            switch DecodedEvent.decode(message) {
            case .success(let event): events.append(event)
            case .failure(.deleted): result.acknowledge.append(message)
            case .failure(.malformed(let reason)): result.deadLetters.append((message, "undecodable: \(reason)"))
            }
        }

        var rollup = VisitorRollup()
        for (collection, group) in Dictionary(grouping: events, by: \.kind.collection).sorted(by: { $0.key < $1.key }) {
            let operations = group.map(EventDocument.operation(for:))
            let outcome = try write(collection: collection, operations: operations)
            let duplicates = Set(outcome.duplicateIndexes)
            var failed: [Int: BulkWriteFailure] = [:]
            for failure in outcome.failures {
                // Two upserts racing to create one document: the loser did not apply; try the batch again.
                if failure.isDuplicateKey, case .upsert = operations[failure.index] {
                    throw RetryableBatchError(description: "upsert raced on \(collection): \(failure.message)")
                }
                failed[failure.index] = failure
            }
            for (index, event) in group.enumerated() {
                if let failure = failed[index] {
                    result.deadLetters.append((event.message, "rejected by MongoDB (\(collection)): \(failure)"))
                    continue
                }
                result.acknowledge.append(event.message)
                let isNew = !duplicates.contains(index)
                if isNew { result.stored += 1 } else { result.duplicates += 1 }
                rollup.add(event, isNew: isNew)
            }
        }
        try writeVisitors(rollup.operations())
        return result
    }

    private func write(collection: String, operations: [BulkOperation]) throws(RetryableBatchError) -> BulkWriteOutcome {
        do {
            return try store.bulkWrite(collection: collection, operations: operations)
        } catch {
            throw RetryableBatchError(description: "\(error)")
        }
    }

    /// Visitor totals are derived data: a failure here is logged, never a reason to
    /// dead-letter the events, which are already stored.
    private func writeVisitors(_ operations: [BulkOperation]) throws(RetryableBatchError) {
        var outcome = try write(collection: "visitors", operations: operations)
        // Another worker created the same visitor between our match and insert:
        // the document exists now, so the same upsert applies on a second try.
        let raced = outcome.failures.filter(\.isDuplicateKey).map(\.index)
        if !raced.isEmpty {
            outcome = try write(collection: "visitors", operations: raced.map { operations[$0] })
        }
        for failure in outcome.failures {
            logger.error("visitor update failed", metadata: ["sluice.collection": "visitors", "sluice.error": "\(failure)"])
        }
    }
}
