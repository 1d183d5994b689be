import SluiceCore
import SluiceRedis

extension DeadLetterReplay {
    /// Replays letters from MongoDB's `deadletters`: appends each to its stream, then deletes
    /// the appended ones from MongoDB.
    ///
    /// Redis and MongoDB share no transaction, so the order decides what a crash leaves: a
    /// letter appended but not yet deleted is replayed again by the next replay, which is
    /// harmless (the event id keys the stored document); never deleted without being appended.
    func replayArchived(_ ids: [String], into outcome: inout Outcome) throws {
        guard let archive else { return }
        // Fetched again: another operator may have replayed or purged some since the plan.
        let found = try archive.letters(ids: ids)
        let letters = try replayable(ids, found: found, place: DeadLetterArchive.collection, into: &outcome)
        guard !letters.isEmpty else { return }

        let appends = letters.map(Self.appendCommand)
        var appended: [String] = []
        for (letter, reply) in zip(letters, try queue.redis.pipeline(appends)) {
            if let message = reply.errorMessage {
                outcome.failed.append((letter.id, "XADD \(letter.stream ?? "") failed: \(message); still in \(DeadLetterArchive.collection)"))
            } else {
                appended.append(letter.id)
            }
        }
        _ = try archive.delete(appended)
        outcome.replayed += appended.count
    }
}
