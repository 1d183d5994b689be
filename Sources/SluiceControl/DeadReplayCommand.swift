import ArgumentParser
import SluiceRedis

/// `sluicectl dead replay`: dead letters back into their partition streams.
struct DeadReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Send dead letters back to the streams they came from.",
        discussion: """
            Each letter's v and e are appended to its original stream as a new entry \
            (XADD <stream> * v … e …) and the letter is deleted from events:dead, both in one \
            MULTI/EXEC: a crash cannot leave a letter both replayed and still dead, nor \
            deleted without being replayed. Letters the worker moved to MongoDB's deadletters \
            are appended first and deleted from MongoDB after: a crash between the two \
            leaves the letter to be replayed again, never lost. Workers then process the \
            event again.

            Replaying an event that MongoDB already stored is harmless: the event id is the \
            document's _id, so the copy is a duplicate-key no-op.

            Letters whose stream is not one of the events:{p} partitions (see --partitions), \
            or that lack v or e, are reported and skipped: they stay in events:dead. Fix the \
            cause first (see `dead show`), or the events come straight back. Without --yes \
            the count is confirmed on the terminal; scripts must pass --yes.
            """)

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var mongo: MongoOptions
    @OptionGroup var selection: DeadLetterSelection

    @Flag(help: "Print what would be replayed and skipped, and change nothing.")
    var dryRun = false

    @Flag(help: "Replay without asking (required when stdin is not a terminal).")
    var yes = false

    func run() throws {
        if !yes && !dryRun { try Terminal.requireConfirmable("replay dead letters") }
        let (redis, partitions) = try connection.connect()
        let store = try mongo.store()
        defer { store.close() }
        let replay = DeadLetterReplay(queue: DeadLetterQueue(redis: redis), partitions: partitions, archive: DeadLetterArchive(store: store))
        do {
            let plan = try replay.plan(selection.scope, reason: selection.reason) { letter in
                if dryRun {
                    Terminal.output(
                        Terminal.escaped(
                            "would replay \(letter.id) from \(letter.place.rawValue) to \(letter.stream ?? "?"): \(letter.eventType ?? "?") \(letter.eventId ?? "?")"
                        ))
                }
            }
            for (id, problem) in plan.skipped { Terminal.warn("skipped \(id): \(problem)") }
            if dryRun {
                Terminal.output("dry run: would replay \(plan.count), skipped \(plan.skipped.count)")
                return
            }
            if plan.count > 0 && !yes && !Terminal.confirm("Replay \(DeadLetterTable.count(plan.count)) to their streams?") {
                Terminal.warn("cancelled: nothing replayed")
                throw ExitCode.failure
            }
            var progress = ProgressReporter(label: "replay", total: plan.count)
            let outcome = try replay.run(plan) { progress?.show(done: $0) }
            for (id, problem) in outcome.skipped.dropFirst(plan.skipped.count) { Terminal.warn("skipped \(id): \(problem)") }
            for (id, problem) in outcome.failed { Terminal.warn("failed \(id): \(problem)") }
            Terminal.output(
                "replayed \(outcome.replayed), skipped \(outcome.skipped.count)" + (outcome.failed.isEmpty ? "" : ", failed \(outcome.failed.count)"))
            if !outcome.failed.isEmpty { throw ExitCode.failure }
        } catch let error as RedisError {
            throw ControlError("\(error)")
        }
    }
}
