import Logging
import SluiceCore
import SluiceMongo
import SluiceRedis

/// Keeps `events:dead` within its bound (`SLUICE_DEAD_LETTER_LIMIT` entries, and letters
/// no older than `SLUICE_DEAD_LETTER_MAX_AGE` when set) by moving the oldest letters to
/// MongoDB's `deadletters` collection; nothing is dropped.
///
/// Each page is inserted into MongoDB before it is deleted from the stream, and the
/// document is keyed by the letter's entry id: a crash between the two, or two workers
/// moving the same page at once, leaves a duplicate-key no-op, never a loss. Only the
/// letters MongoDB holds are deleted (XDEL by id), so a letter it refuses stays in the stream.
struct DeadLetterMover {
    let store: MongoStore
    /// Most letters kept in the stream.
    let limit: Int
    /// Seconds after which a letter moves whatever the length; 0 for no age bound.
    let maxAgeSeconds: Int
    let metrics: WorkerMetrics
    let logger: Logger
    /// Letters per XRANGE and per insert.
    var pageSize = 500

    /// One maintenance pass: moves letters until the stream is within the bound, publishes
    /// the gauge and the counter, and logs (never throws) when Redis or MongoDB fails.
    func run(on redis: RedisConnection, nowMilliseconds: Int64) {
        do {
            while try movePage(on: redis, nowMilliseconds: nowMilliseconds) {}
            metrics.deadLetters.set(Double(try length(on: redis)))
        } catch {
            logger.warning("dead letters not moved to MongoDB, retrying at the next maintenance", metadata: ["sluice.error": "\(error)"])
        }
    }

    /// Moves the oldest page past the bound; returns whether another page may be due.
    private func movePage(on redis: RedisConnection, nowMilliseconds: Int64) throws -> Bool {
        let excess = try length(on: redis) - Int64(limit)
        let key = StreamLayout.deadLetterStream
        let command: RedisCommand
        if excess > 0 {
            command = RedisCommand("XRANGE", key, "-", "+", "COUNT", String(min(excess, Int64(pageSize))))
        } else if maxAgeSeconds > 0, nowMilliseconds - Int64(maxAgeSeconds) * 1000 > 0 {
            // An entry id starts with its append time in ms; an end given as ms alone includes that whole ms.
            command = RedisCommand("XRANGE", key, "-", String(nowMilliseconds - Int64(maxAgeSeconds) * 1000 - 1), "COUNT", String(pageSize))
        } else {
            return false
        }
        let letters = try Self.letters(in: redis.run(command))
        guard !letters.isEmpty else { return false }
        let (stored, refused) = try store.archiveDeadLetters(letters)
        for (id, reason) in refused {
            logger.error(
                "dead letter cannot move to MongoDB; it stays in the stream",
                metadata: ["sluice.stream": "\(key)", "sluice.entry": "\(id)", "sluice.error": "\(reason)"])
        }
        guard !stored.isEmpty else { return false }
        // XDEL counts only letters still there: two workers moving one page count it once.
        let deleted = try redis.run(RedisCommand(arguments: ["XDEL", key] + stored)).integer ?? 0
        metrics.deadLettersMoved.increment(by: deleted)
        logger.info("dead letters moved to MongoDB", metadata: ["sluice.collection": "\(ArchivedDeadLetter.collection)", "sluice.moved": "\(deleted)"])
        // A refused letter would head every page again: the next maintenance tries the rest.
        return refused.isEmpty && letters.count == pageSize
    }

    private func length(on redis: RedisConnection) throws(RedisError) -> Int64 {
        let reply = try redis.run(RedisCommand("XLEN", StreamLayout.deadLetterStream))
        guard let length = reply.integer else { throw .unexpectedReply(command: "XLEN", reply: "\(reply)") }
        return length
    }

    /// The letters of an XRANGE reply, fields in entry order.
    static func letters(in reply: RedisReply) throws(RedisError) -> [ArchivedDeadLetter] {
        try StreamEntryReply.entries(in: reply).map { entry in
            ArchivedDeadLetter(id: entry.id.description, fields: (entry.fields ?? []).map { ArchivedDeadLetter.Field(name: $0.name, value: $0.value) })
        }
    }
}
