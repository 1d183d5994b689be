import SluiceCore
import SluiceMongo
import SluiceRedis

/// Erases a person's data: their documents in all eight collections, their session
/// and derived visitor and session state in Redis and their dead letters. On a dry run it counts the same things and
/// changes nothing. Running it again finds nothing more, so a run cut short is
/// finished by running it again.
struct Erasure {
    /// The event collections, in report order; `EraseTests` checks them against `EventKind`.
    static let eventCollections = StoreCollection.events
    /// Every collection holding a person's data.
    static let collections = StoreCollection.personal

    let store: MongoStore
    let redis: RedisConnection
    /// The stream partition count: a visitor's keys carry its partition's hash tag.
    let partitions: Int
    let dryRun: Bool

    /// A visitor's Redis keys: its current-session pointer, its derived state and that
    /// of `sessionIds` (its sessions).
    static func redisKeys(visitorId: String, sessionIds: [String], partitions: Int) -> [String] {
        let partition = StreamLayout.partition(visitorId: visitorId, partitions: partitions)
        return [
            StreamLayout.sessionKey(visitorId: visitorId, partitions: partitions), StreamLayout.visitorStateKey(visitorId: visitorId, partition: partition),
        ]
            + sessionIds.map { StreamLayout.sessionStateKey(sessionId: $0, partition: partition) }
    }

    /// The subject for a user: the visitors whose `userIds` hold the user, then those of
    /// any session or event document with that `userId`, each once.
    func subject(forUser userId: String) throws(MongoError) -> ErasureSubject {
        let user = JSONWriter.string(of: .string(userId))
        var visitorIds = try store.findCanonicalJSON(collection: StoreCollection.visitors, filterJSON: #"{"userIds": \#(user)}"#)
            .compactMap { Self.field("_id", of: $0) }
        // One document per new visitor: a user has a few visitors (devices), but may have many events.
        for collection in [StoreCollection.sessions] + Self.eventCollections {
            while true {
                let known = JSONWriter.string(of: .array(visitorIds.map(JSONValue.string)))
                let filter = #"{"userId": \#(user), "visitorId": {"$type": "string", "$nin": \#(known)}}"#
                guard let document = try store.findCanonicalJSON(collection: collection, filterJSON: filter, limit: 1).first,
                    let visitorId = Self.field("visitorId", of: document), !visitorIds.contains(visitorId)
                else { break }
                visitorIds.append(visitorId)
            }
        }
        return .user(userId, visitorIds: visitorIds)
    }

    /// Deletes (or counts) the subject's documents in every collection, then its Redis keys.
    func eraseStored(_ subject: ErasureSubject) throws -> ErasureCounts {
        var counts = ErasureCounts()
        // The session ids before their documents go: their derived state is keyed by them.
        var keys: [String] = []
        for visitorId in subject.visitorIds {
            let visitor = JSONWriter.string(of: .string(visitorId))
            let sessionIds = try store.findCanonicalJSON(collection: StoreCollection.sessions, filterJSON: #"{"visitorId": \#(visitor)}"#).compactMap {
                Self.field("_id", of: $0)
            }
            let current = try redis.run(
                RedisCommand("HGET", StreamLayout.sessionKey(visitorId: visitorId, partitions: partitions), StreamLayout.sessionIdField)
            ).text
            keys += Self.redisKeys(visitorId: visitorId, sessionIds: Array(Set(sessionIds + (current.map { [$0] } ?? []))).sorted(), partitions: partitions)
        }
        for collection in Self.collections {
            let filter = subject.filter(for: collection)
            if dryRun {
                counts.documents[collection] = try store.countDocuments(collection: collection, filterJSON: filter)
                continue
            }
            let outcome = try store.bulkWrite(collection: collection, operations: [.deleteMany(filter: try BSONDocumentBuilder(json: filter))])
            if let failure = outcome.failures.first {
                throw ControlError("MongoDB refused to delete from \(collection): \(failure)")
            }
            counts.documents[collection] = outcome.deleted
        }
        // One command per key: each hashes to its own slot, so a multi-key DEL would fail on a cluster.
        let replies = try redis.pipeline(keys.map { RedisCommand(dryRun ? "EXISTS" : "DEL", $0) })
        for reply in replies {
            if let message = reply.errorMessage { throw RedisError.commandFailed(command: dryRun ? "EXISTS" : "DEL", message: message) }
            counts.redisKeys += Int(reply.integer ?? 0)
        }
        return counts
    }

    /// Each subject's dead letters in `events:dead` and in `deadletters` (the letter's event has
    /// one of its visitor ids or its user id), read page by page; a letter goes to the first
    /// subject that owns it.
    func deadLetters(of subjects: [ErasureSubject]) throws -> [DeadLetterPurge.Plan] {
        var plans = Array(repeating: DeadLetterPurge.Plan(), count: subjects.count)
        func collect(_ page: [DeadLetter]) {
            for letter in page {
                guard case .success(let value)? = letter.event, let event = value.objectValue,
                    let owner = subjects.firstIndex(where: { $0.owns(event) })
                else { continue }
                if letter.place == .stream { plans[owner].ids.append(letter.id) } else { plans[owner].archivedIds.append(letter.id) }
            }
        }
        try DeadLetterQueue(redis: redis).forEachPage(.all, reason: nil, collect)
        try DeadLetterArchive(store: store).forEachPage(.all, reason: nil, collect)
        return plans
    }

    /// Deletes dead letters (nothing on a dry run) and returns how many there were.
    func eraseDeadLetters(_ letters: DeadLetterPurge.Plan) throws -> Int {
        if dryRun || letters.count == 0 { return letters.count }
        return try DeadLetterPurge(queue: DeadLetterQueue(redis: redis), archive: DeadLetterArchive(store: store)).run(letters)
    }

    /// A top-level string field of a canonical extended JSON document.
    private static func field(_ name: String, of document: String) -> String? {
        (try? JSONParser.parse(document))?.objectValue?[name]?.stringValue
    }
}

/// What one erasure found: documents per collection, session keys and dead letters.
struct ErasureCounts: Equatable {
    var documents: [String: Int] = [:]
    var redisKeys = 0
    var deadLetters = 0

    /// "erased visitor v-1: pageviews 12, …, visitors 1, redis keys 1, dead letters 0".
    func line(for subject: ErasureSubject, dryRun: Bool) -> String {
        let parts = Erasure.collections.map { "\($0) \(documents[$0] ?? 0)" } + ["redis keys \(redisKeys)", "dead letters \(deadLetters)"]
        return "\(dryRun ? "would erase" : "erased") \(Terminal.escaped(subject.label)): " + parts.joined(separator: ", ")
    }

    /// Everything found, documents, keys and letters together.
    var total: Int { documents.values.reduce(0, +) + redisKeys + deadLetters }
}
