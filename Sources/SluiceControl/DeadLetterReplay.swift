import SluiceCore
import SluiceRedis

/// Moves dead letters back to the partition streams they came from, where the
/// workers pick them up again as new entries.
///
/// Each letter's append and delete run in one MULTI/EXEC, so a crash never leaves
/// a letter both replayed and still dead (replayed again later) or deleted but not
/// replayed. A letter replayed twice anyway (two operators at once) is harmless:
/// the event id is the MongoDB `_id`, so the second copy is a duplicate-key no-op.
/// On a Redis Cluster the partition stream and `events:dead` sit in different slots,
/// where no transaction reaches: a script in the stream's slot appends the letter only
/// if it sets the letter's replay mark (`StreamLayout.replayMarkKey`, kept a week), and
/// the delete runs after; a crash between them leaves the letter dead but marked, and
/// the next replay deletes it without appending it again. (Appended twice, its event
/// would be stored once but counted twice in the derived data: the copies share a
/// `receivedAt`, which marks a sender's own earlier write.)
/// Letters the worker moved to MongoDB's `deadletters` are appended first and deleted
/// from MongoDB after (see `DeadLetterReplay+Archive.swift`).
struct DeadLetterReplay {
    /// A letter that was not replayed, and why.
    typealias Problem = (id: String, problem: String)

    /// What a replay will do, worked out before anything changes.
    struct Plan {
        /// Replayable letters in `events:dead`, oldest first; only ids, so a large queue is not held in memory.
        var ids: [String] = []
        /// Replayable letters in `deadletters`.
        var archivedIds: [String] = []
        var skipped: [Problem] = []

        /// The letters to replay, in both places.
        var count: Int { ids.count + archivedIds.count }
    }

    /// What a replay did.
    struct Outcome {
        var replayed = 0
        /// Letters left where they were, untouched.
        var skipped: [Problem] = []
        /// Letters whose append Redis refused; they are still (or again) dead letters.
        var failed: [Problem] = []
    }

    let queue: DeadLetterQueue
    let partitions: Int
    /// The moved letters; nil to act on `events:dead` alone.
    var archive: DeadLetterArchive?
    /// Most letters per pipeline (four commands each); fewer on small runs, so progress moves.
    var chunkSize = 500

    /// Selects the letters to replay; `visit` sees each replayable one (for `--dry-run`).
    func plan(_ scope: DeadLetterScope, reason: String?, visit: (DeadLetter) -> Void = { _ in }) throws -> Plan {
        var plan = Plan()
        func collect(_ page: [DeadLetter]) {
            for letter in page {
                if let problem = letter.replayProblem(partitions: partitions) {
                    plan.skipped.append((letter.id, problem))
                } else {
                    if letter.place == .stream { plan.ids.append(letter.id) } else { plan.archivedIds.append(letter.id) }
                    visit(letter)
                }
            }
        }
        var missing = try queue.forEachPage(scope, reason: reason, collect)
        if let archive {
            let notArchived = Set(try archive.forEachPage(scope, reason: reason, collect))
            missing = missing.filter(notArchived.contains)
        }
        plan.skipped += missing.map { ($0, "no such dead letter") }
        return plan
    }

    /// Replays the planned letters chunk by chunk, calling `progress` with the number done so far.
    func run(_ plan: Plan, progress: (Int) -> Void = { _ in }) throws -> Outcome {
        var outcome = Outcome(skipped: plan.skipped)
        var done = 0
        let size = ProgressReporter.chunkSize(total: plan.count, limit: chunkSize)
        for start in stride(from: 0, to: plan.ids.count, by: size) {
            let chunk = Array(plan.ids[start..<min(start + size, plan.ids.count)])
            try replay(chunk, into: &outcome)
            done += chunk.count
            progress(done)
        }
        for start in stride(from: 0, to: plan.archivedIds.count, by: size) {
            let chunk = Array(plan.archivedIds[start..<min(start + size, plan.archivedIds.count)])
            try replayArchived(chunk, into: &outcome)
            done += chunk.count
            progress(done)
        }
        return outcome
    }

    private func replay(_ ids: [String], into outcome: inout Outcome) throws(RedisError) {
        // Fetched again: another operator may have replayed or purged some since the plan.
        let found = try queue.letters(ids: ids)
        let letters = try replayable(ids, found: found, place: DeadLetterQueue.key, into: &outcome)
        guard !letters.isEmpty else { return }

        guard !queue.redis.isCluster else { return try replayWithoutTransactions(letters, into: &outcome) }
        var commands: [RedisCommand] = []
        commands.reserveCapacity(letters.count * 4)
        for letter in letters {
            commands += [RedisCommand("MULTI"), Self.appendCommand(letter), RedisCommand("XDEL", DeadLetterQueue.key, letter.id), RedisCommand("EXEC")]
        }
        let replies = try queue.redis.pipeline(commands)

        var lost: [DeadLetter] = []
        for (index, letter) in letters.enumerated() {
            let exec = replies[index * 4 + 3]
            guard let results = exec.elements, results.count == 2 else {
                // EXECABORT (e.g. OOM while queueing) or no transaction: nothing was applied.
                let message = exec.errorMessage ?? replies[index * 4 + 1].errorMessage ?? "\(exec)"
                outcome.failed.append((letter.id, "not replayed: \(message)"))
                continue
            }
            if let message = results[0].errorMessage {
                // A transaction does not roll back: the XDEL ran although the XADD failed.
                let deleted = results[1].integer == 1
                outcome.failed.append(
                    (letter.id, "XADD \(letter.stream ?? "") failed: \(message)" + (deleted ? "; put back into \(DeadLetterQueue.key) as a new entry" : "")))
                if deleted { lost.append(letter) }
            } else {
                outcome.replayed += 1
            }
        }
        try restore(lost)
    }

    /// Appends the letter (ARGV from 2: the XADD's fields) unless its mark (KEYS[2]) is
    /// set, then sets the mark for ARGV[1] seconds; an append that fails sets no mark.
    static let markedAppendScript = """
        if redis.call('EXISTS', KEYS[2]) == 1 then return 'replayed before' end
        local id = redis.call('XADD', KEYS[1], '*', unpack(ARGV, 2))
        redis.call('SET', KEYS[2], '1', 'EX', ARGV[1])
        return id
        """

    /// How long a replay mark is kept: longer than any operator waits before running a failed replay again.
    static let replayMarkSeconds = 7 * 86_400

    /// On a cluster: every marked append in one pipeline, then the deletes of the letters appended or marked before.
    private func replayWithoutTransactions(_ letters: [DeadLetter], into outcome: inout Outcome) throws(RedisError) {
        let appended = try queue.redis.pipeline(letters.map(Self.markedAppendCommand))
        var delete: [DeadLetter] = []
        for (letter, reply) in zip(letters, appended) {
            if let message = reply.errorMessage {
                outcome.failed.append((letter.id, "XADD \(letter.stream ?? "") failed: \(message)"))
            } else {
                delete.append(letter)
            }
        }
        guard !delete.isEmpty else { return }
        let deleted = try queue.redis.pipeline(delete.map { RedisCommand("XDEL", DeadLetterQueue.key, $0.id) })
        for (letter, reply) in zip(delete, deleted) {
            if let message = reply.errorMessage {
                outcome.failed.append((letter.id, "replayed, but XDEL from \(DeadLetterQueue.key) failed (replaying it again only deletes it): \(message)"))
            } else {
                outcome.replayed += 1
            }
        }
    }

    /// The letters of `ids` that `found` still holds, less those whose stream key holds
    /// another type; each one left out is recorded in `outcome` with the reason.
    func replayable(_ ids: [String], found: [String: DeadLetter], place: String, into outcome: inout Outcome) throws(RedisError) -> [DeadLetter] {
        var letters: [DeadLetter] = []
        for id in ids {
            guard let letter = found[id] else {
                outcome.skipped.append((id, "gone from \(place) since it was selected"))
                continue
            }
            letters.append(letter)
        }
        let unusable = try nonStreamKeys(Set(letters.compactMap(\.stream)))
        letters.removeAll { letter in
            guard let type = letter.stream.flatMap({ unusable[$0] }) else { return false }
            outcome.skipped.append((letter.id, "\(letter.stream ?? "") holds a \(type), not a stream"))
            return true
        }
        return letters
    }

    /// `markedAppendScript` for `letter`: its stream and mark, then the XADD's fields.
    static func markedAppendCommand(_ letter: DeadLetter) -> RedisCommand {
        let stream = letter.stream ?? ""
        var command = RedisCommand(
            "EVAL", markedAppendScript, "2", stream, StreamLayout.replayMarkKey(stream: stream, letterId: letter.id), String(replayMarkSeconds))
        appendFields(of: letter, to: &command)
        return command
    }

    /// The `XADD` that puts a letter's original fields back on its stream.
    static func appendCommand(_ letter: DeadLetter) -> RedisCommand {
        var append = RedisCommand("XADD", letter.stream ?? "", "*")
        appendFields(of: letter, to: &append)
        return append
    }

    /// A letter's original entry fields, as `XADD` takes them.
    private static func appendFields(of letter: DeadLetter, to command: inout RedisCommand) {
        for field in [StreamLayout.versionField, StreamLayout.eventField] {
            command.append(field)
            command.append(bytes: letter.value(field) ?? [])
        }
    }

    /// The keys among `streams` that exist with a type other than stream, and that type.
    func nonStreamKeys(_ streams: Set<String>) throws(RedisError) -> [String: String] {
        let keys = Array(streams)
        let types = try queue.redis.pipeline(keys.map { RedisCommand("TYPE", $0) })
        var unusable: [String: String] = [:]
        for (key, reply) in zip(keys, types) {
            if let type = reply.text, type != "stream", type != "none" { unusable[key] = type }
        }
        return unusable
    }

    /// Puts letters whose append failed back into `events:dead` (as new entries).
    private func restore(_ letters: [DeadLetter]) throws(RedisError) {
        guard !letters.isEmpty else { return }
        let commands = letters.map { letter in
            var command = RedisCommand("XADD", DeadLetterQueue.key, "*")
            for field in letter.fields {
                command.append(field.name)
                command.append(bytes: field.value)
            }
            return command
        }
        for reply in try queue.redis.pipeline(commands) {
            if let message = reply.errorMessage { throw .commandFailed(command: "XADD \(DeadLetterQueue.key)", message: message) }
        }
    }
}
