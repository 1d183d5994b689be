import FoundationEssentials
import SluiceCore
import SluiceMongo
import SluiceRedis

/// What became of one batch once MongoDB has it.
struct BatchResult {
    /// Entries to acknowledge: stored, already stored, or deleted while pending.
    var acknowledge: [StreamMessage] = []
    /// Entries that can never be stored, with the reason (acknowledged once dead-lettered).
    var deadLetters: [(message: StreamMessage, reason: String)] = []
    /// The stored events whose derived changes the acknowledgement applies: all but
    /// those MongoDB already had from another entry (a sender's retry of an event).
    var counted: [EnrichedEvent] = []
    /// Events newly written.
    var stored = 0
    /// Events MongoDB already had (a redelivery).
    var duplicates = 0
    /// The live counters the newly stored events add (best effort: sent before the acknowledgement).
    var live = LiveCounterUpdate()
}

/// Decodes, enriches and writes a batch: one unordered bulk per event collection.
/// Sessions, visitors and roll-ups are derived when the batch is acknowledged
/// (`DerivedStep`). Re-running the same batch is safe. Its store and its sessions are
/// seams (`BatchStore`, `SessionAssigner`): MongoDB and Redis in the worker.
struct BatchProcessor {
    let store: any BatchStore
    let enricher: EventEnricher
    var earlierWrites: EarlierWrites { EarlierWrites(store: store) }

    /// Writes the batch, with sessions from `sessions` for the events that need one. Throws
    /// when a command failed or its outcome is unknown: nothing is acknowledged then, and
    /// the consumer decides on a retry (`BatchRetryPolicy`).
    func process(_ messages: [StreamMessage], sessions: some SessionAssigner) throws(BatchFailure) -> BatchResult {
        var result = BatchResult()
        var events: [EnrichedEvent] = []
        for message in messages {
            switch DecodedEvent.decode(message) {
            case .success(let event): events.append(enricher.enrich(event))
            case .failure(.deleted): result.acknowledge.append(message)
            case .failure(.malformed(let reason)): result.deadLetters.append((message, "undecodable: \(reason)"))
            }
        }
        try stitchSessions(&events, sessions: sessions)

        for (collection, grouped) in Dictionary(grouping: events.indices, by: { events[$0].kind.collection }).sorted(by: { $0.key < $1.key }) {
            let (indexes, operations) = Self.insertsFirst(grouped.map { ($0, EventDocument.operation(for: events[$0])) })
            let outcome = try write(collection, operations)
            var duplicates = Set(outcome.duplicateIndexes)
            let created = Set(outcome.upsertedIndexes)
            var failed: [Int: BulkWriteFailure] = [:]
            for failure in outcome.failures { failed[failure.index] = try retryIfRaced(failure, operations, collection) }
            // Which duplicates are this entry's own earlier write: read before the overwrites below change them.
            // A duplicate on another unique index may be one too (the store named that index, not `_id`).
            let suspects = duplicates.union(failed.filter { $0.value.isDuplicateKey }.keys)
            let earlier = try earlierWrites.of(suspects.map { events[indexes[$0]] }, in: collection)
            for (position, _) in failed where earlier[EarlierWrites.key(of: events[indexes[position]].decoded.message)] != nil {
                failed[position] = nil
                duplicates.insert(position)
            }
            let overwrites = duplicates.sorted().compactMap { position in EventDocument.overwrite(for: events[indexes[position]]).map { (position, $0) } }
            if !overwrites.isEmpty {
                let second = try write(collection, overwrites.map(\.1))
                for failure in second.failures { failed[overwrites[failure.index].0] = try retryIfRaced(failure, overwrites.map(\.1), collection) }
            }
            for (position, index) in indexes.enumerated() {
                var event = events[index]
                if let failure = failed[position] {
                    result.deadLetters.append((event.decoded.message, "rejected by MongoDB (\(collection)): \(failure)"))
                    continue
                }
                result.acknowledge.append(event.decoded.message)
                let isNew = operations[position].isInsert ? !duplicates.contains(position) : created.contains(position) && event.kind != .feedback
                if isNew { result.stored += 1 } else { result.duplicates += 1 }
                if let stored = earlier[EarlierWrites.key(of: event.decoded.message)] {
                    // Counted with the session its document names, not the one stitched now.
                    event.session = stored.map { SessionAssignment(sessionId: $0, isNew: false) }
                    result.counted.append(event)
                } else if isNew || !operations[position].isInsert {
                    // Feedback and engagement updates change another event's document: never a duplicate of their own.
                    result.counted.append(event)
                }
                result.live.add(event, isNew: isNew)
            }
        }
        return result
    }

    /// The operations of one collection's bulk with every insert before every update, each
    /// kind in batch order, and the events they write in the same order. The store runs a
    /// bulk as one command per run of one kind, so chats interleaved with their feedback
    /// cost two commands a chat (6,075 commands for 100,000 events of the benchmark's mix,
    /// against about 100 in order); and feedback that came before its chat in the same
    /// batch then finds the chat's document instead of making a placeholder it collides with.
    static func insertsFirst(_ operations: [(index: Int, operation: BulkOperation)]) -> (indexes: [Int], operations: [BulkOperation]) {
        let ordered = operations.filter { $0.operation.isInsert } + operations.filter { !$0.operation.isInsert }
        return (ordered.map(\.index), ordered.map(\.operation))
    }

    /// A failure's place in the batch, or a retry of the whole batch when two upserts
    /// raced to create one document (the loser did not apply).
    private func retryIfRaced(_ failure: BulkWriteFailure, _ operations: [BulkOperation], _ collection: String) throws(BatchFailure) -> BulkWriteFailure {
        if failure.isDuplicateKey, case .upsert = operations[failure.index] {
            throw .raced(collection: collection, message: failure.message)
        }
        return failure
    }

    /// Assigns Redis-stitched sessions to human events that did not bring their own.
    /// Feedback and engagement updates belong to an earlier event: they extend no session.
    private func stitchSessions(_ events: inout [EnrichedEvent], sessions: some SessionAssigner) throws(BatchFailure) {
        let needing = events.indices.filter {
            events[$0].session == nil && !events[$0].isBot && events[$0].kind != .feedback && !events[$0].isEngagementUpdate
        }
        do {
            let assignments = try sessions.assign(needing.map { (events[$0].visitorId, events[$0].timestamp) })
            for (index, assignment) in zip(needing, assignments) { events[index].session = assignment }
        } catch {
            throw .redis(error)
        }
    }

    private func write(_ collection: String, _ operations: [BulkOperation]) throws(BatchFailure) -> BulkWriteOutcome {
        do {
            return try store.bulkWrite(collection: collection, operations: operations)
        } catch {
            throw BatchFailure(error)
        }
    }
}
