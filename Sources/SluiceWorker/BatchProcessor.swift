import FoundationEssentials
import Logging
import SluiceCore
import SluiceMongo
import SluiceRedis

/// What became of one batch once MongoDB has it.
struct BatchResult {
    /// Entries to acknowledge: stored, already stored, or deleted while pending.
    var acknowledge: [StreamMessage] = []
    /// Entries that can never be stored, with the reason (acknowledged once dead-lettered).
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

/// Decodes, enriches and writes a batch: one unordered bulk per event collection,
/// then sessions, then visitors. Re-running the same batch is safe.
struct BatchProcessor {
    let store: MongoStore
    let enricher: EventEnricher
    let stitcher: SessionStitcher
    let logger: Logger

    /// Writes the batch. Throws `RetryableBatchError` when the outcome is unknown or
    /// MongoDB or Redis is unreachable.
    func process(_ messages: [StreamMessage], redis: RedisConnection) throws(RetryableBatchError) -> BatchResult {
        var result = BatchResult()
        var events: [EnrichedEvent] = []
        for message in messages {
            switch DecodedEvent.decode(message) {
            case .success(let event): events.append(enricher.enrich(event))
            case .failure(.deleted): result.acknowledge.append(message)
            case .failure(.malformed(let reason)): result.deadLetters.append((message, "undecodable: \(reason)"))
            }
        }
        try stitchSessions(&events, redis: redis)

        var sessions = SessionRollup()
        var visitors = VisitorRollup()
        var live = LiveCounterUpdate()
        for (collection, indexes) in Dictionary(grouping: events.indices, by: { events[$0].kind.collection }).sorted(by: { $0.key < $1.key }) {
            let operations = indexes.map { EventDocument.operation(for: events[$0]) }
            let outcome = try write(collection, operations)
            let duplicates = Set(outcome.duplicateIndexes)
            let created = Set(outcome.upsertedIndexes)
            var failed: [Int: BulkWriteFailure] = [:]
            for failure in outcome.failures {
                // Two upserts racing to create one document: the loser did not apply; try the batch again.
                if failure.isDuplicateKey, case .upsert = operations[failure.index] {
                    throw RetryableBatchError(description: "upsert raced on \(collection): \(failure.message)")
                }
                failed[failure.index] = failure
            }
            for (position, index) in indexes.enumerated() {
                let event = events[index]
                if let failure = failed[position] {
                    result.deadLetters.append((event.decoded.message, "rejected by MongoDB (\(collection)): \(failure)"))
                    continue
                }
                result.acknowledge.append(event.decoded.message)
                let isNew: Bool
                switch operations[position] {
                case .insert: isNew = !duplicates.contains(position)
                default: isNew = created.contains(position) && event.kind != .feedback
                }
                if isNew { result.stored += 1 } else { result.duplicates += 1 }
                sessions.add(event, isNew: isNew)
                visitors.add(event, isNew: isNew)
                live.add(event, isNew: isNew)
            }
        }

        let sessionOutcome = try write("sessions", sessions.operations())
        for index in sessionOutcome.upsertedIndexes {
            if let visitorId = sessions.visitorId(of: sessions.order[index]) { visitors.addNewSession(visitorId: visitorId) }
        }
        logFailures(sessionOutcome, collection: "sessions")
        logFailures(try write("sessions", sessions.closingOperations()), collection: "sessions")
        try writeVisitors(visitors)
        // Live counters are a best-effort view: a failure must not hold the batch back.
        _ = try? redis.pipeline(live.commands(now: Int64(Date().timeIntervalSince1970 * 1000)))
        return result
    }

    /// Assigns Redis-stitched sessions to human events that did not bring their own.
    private func stitchSessions(_ events: inout [EnrichedEvent], redis: RedisConnection) throws(RetryableBatchError) {
        let needing = events.indices.filter { events[$0].session == nil && !events[$0].isBot && events[$0].kind != .feedback }
        do {
            let assignments = try stitcher.assign(needing.map { (events[$0].visitorId, events[$0].timestamp) }, on: redis)
            for (index, assignment) in zip(needing, assignments) { events[index].session = assignment }
        } catch {
            throw RetryableBatchError(description: "session stitching failed: \(error)")
        }
    }

    private func write(_ collection: String, _ operations: [BulkOperation]) throws(RetryableBatchError) -> BulkWriteOutcome {
        do {
            return try store.bulkWrite(collection: collection, operations: operations)
        } catch {
            throw RetryableBatchError(description: "\(error)")
        }
    }

    /// Visitor totals are derived data: a failure here is logged, never a reason to
    /// dead-letter the events, which are already stored.
    private func writeVisitors(_ visitors: VisitorRollup) throws(RetryableBatchError) {
        let operations = visitors.operations()
        var outcome = try write("visitors", operations)
        let created = Set(outcome.upsertedIndexes)
        // Another worker created the same visitor between our match and insert:
        // the document exists now, so the same upsert applies on a second try.
        let raced = outcome.failures.filter(\.isDuplicateKey).map(\.index)
        if !raced.isEmpty {
            outcome = try write("visitors", raced.map { operations[$0] })
        }
        logFailures(outcome, collection: "visitors")
        let userIds = visitors.userIdOperations()
        if !userIds.isEmpty { logFailures(try write("visitors", userIds), collection: "visitors") }
        let returning = visitors.returningOperations(created: created)
        if !returning.isEmpty { logFailures(try write("visitors", returning), collection: "visitors") }
    }

    private func logFailures(_ outcome: BulkWriteOutcome, collection: String) {
        for failure in outcome.failures {
            logger.error("derived update failed", metadata: ["sluice.collection": "\(collection)", "sluice.error": "\(failure)"])
        }
    }
}
