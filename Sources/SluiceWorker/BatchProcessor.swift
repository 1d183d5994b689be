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
    /// The stored events whose derived changes the acknowledgement applies: all but
    /// a first delivery that MongoDB already had (a sender's retry of an event).
    var counted: [EnrichedEvent] = []
    /// Events newly written.
    var stored = 0
    /// Events MongoDB already had (a redelivery).
    var duplicates = 0
}

/// A failure after which the whole batch is tried again later; nothing is acknowledged.
struct RetryableBatchError: Error, CustomStringConvertible {
    let description: String
}

/// Decodes, enriches and writes a batch: one unordered bulk per event collection.
/// Sessions, visitors and roll-ups are derived when the batch is acknowledged
/// (`DerivedStep`). Re-running the same batch is safe.
struct BatchProcessor {
    let store: MongoStore
    let enricher: EventEnricher
    let stitcher: SessionStitcher
    let logger: Logger

    /// Writes the batch. `redelivered`: its entries may have been delivered before,
    /// so an event MongoDB already has may be this worker's own earlier write, still
    /// to be counted. Throws `RetryableBatchError` when the outcome is unknown or
    /// MongoDB or Redis is unreachable.
    func process(_ messages: [StreamMessage], redelivered: Bool, redis: RedisConnection) throws(RetryableBatchError) -> BatchResult {
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

        var live = LiveCounterUpdate()
        for (collection, indexes) in Dictionary(grouping: events.indices, by: { events[$0].kind.collection }).sorted(by: { $0.key < $1.key }) {
            let operations = indexes.map { EventDocument.operation(for: events[$0]) }
            let outcome = try write(collection, operations)
            let duplicates = Set(outcome.duplicateIndexes)
            let created = Set(outcome.upsertedIndexes)
            var failed: [Int: BulkWriteFailure] = [:]
            for failure in outcome.failures { failed[failure.index] = try retryIfRaced(failure, operations, collection) }
            // Read before the overwrites below change what tells a redelivery from a sender's retry.
            let ownEarlierWrites = redelivered ? try ownEarlierWrites(duplicates.map { events[indexes[$0]] }, in: collection) : []
            let overwrites = duplicates.sorted().compactMap { position in EventDocument.overwrite(for: events[indexes[position]]).map { (position, $0) } }
            if !overwrites.isEmpty {
                let second = try write(collection, overwrites.map(\.1))
                for failure in second.failures { failed[overwrites[failure.index].0] = try retryIfRaced(failure, overwrites.map(\.1), collection) }
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
                // Feedback and engagement updates change another event's document: never a duplicate of their own.
                let counts: Bool
                switch operations[position] {
                case .insert: counts = isNew || ownEarlierWrites.contains(event.decoded.message.id)
                default: counts = true
                }
                if counts { result.counted.append(event) }
                live.add(event, isNew: isNew)
            }
        }
        // Live counters are a best-effort view: a failure must not hold the batch back.
        _ = try? redis.pipeline(live.commands(now: Int64(Date().timeIntervalSince1970 * 1000)))
        return result
    }

    /// A failure's place in the batch, or a retry of the whole batch when two upserts
    /// raced to create one document (the loser did not apply).
    private func retryIfRaced(_ failure: BulkWriteFailure, _ operations: [BulkOperation], _ collection: String) throws(RetryableBatchError) -> BulkWriteFailure {
        if failure.isDuplicateKey, case .upsert = operations[failure.index] {
            throw RetryableBatchError(description: "upsert raced on \(collection): \(failure.message)")
        }
        return failure
    }

    /// The entries among `duplicates` (redelivered inserts MongoDB already had) whose
    /// document this pipeline wrote from that very entry (same `receivedAt`) before a
    /// crash kept it from being acknowledged: still to be counted. A sender's retry of
    /// the event is a second entry, stamped at another time.
    private func ownEarlierWrites(_ duplicates: [EnrichedEvent], in collection: String) throws(RetryableBatchError) -> Set<String> {
        guard !duplicates.isEmpty else { return [] }
        var expected: [String: (entry: String, receivedAt: Int64?)] = [:]
        for event in duplicates {
            let receivedAt: Int64? = if case .int(let ms)? = event.decoded.event["receivedAt"] { ms } else { nil }
            let id = event.kind == .pageview ? event.decoded.event["pageviewId"]?.stringValue ?? event.decoded.id : event.decoded.id
            expected[ScopedID.key(of: event.decoded, id: id)] = (event.decoded.message.id, receivedAt)
        }
        let ids = JSONWriter.string(of: .array(expected.keys.sorted().map(JSONValue.string)))
        let stored: [String]
        do {
            stored = try store.findCanonicalJSON(collection: collection, filterJSON: #"{"_id": {"$in": \#(ids)}}"#)
        } catch {
            throw RetryableBatchError(description: "\(error)")
        }
        var own = Set<String>()
        for text in stored {
            guard let document = try? JSONParser.parse(text).objectValue, let id = document["_id"]?.stringValue, let wanted = expected[id],
                let receivedAt = wanted.receivedAt, StoredFields.date(document["receivedAt"]) == String(receivedAt)
            else { continue }
            own.insert(wanted.entry)
        }
        return own
    }

    /// Assigns Redis-stitched sessions to human events that did not bring their own.
    /// Feedback and engagement updates belong to an earlier event: they extend no session.
    private func stitchSessions(_ events: inout [EnrichedEvent], redis: RedisConnection) throws(RetryableBatchError) {
        let needing = events.indices.filter {
            events[$0].session == nil && !events[$0].isBot && events[$0].kind != .feedback && !events[$0].isEngagementUpdate
        }
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
}
