import ArgumentParser
import SluiceRedis

/// `sluicectl dead purge`: deletes dead letters for good.
struct DeadPurgeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "purge",
        abstract: "Delete dead letters for good.",
        discussion: """
            Deletes from events:dead and from MongoDB's deadletters (where the worker moves \
            letters past SLUICE_DEAD_LETTER_LIMIT). The events are lost: check them with \
            `dead list` and `dead show` first, and replay those worth keeping. Without --yes the count is confirmed on the \
            terminal ("Delete 42 dead letters? [y/N]"); when stdin is not a terminal, \
            --yes is required. With --all, letters dead-lettered after the count are kept.
            """)

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var mongo: MongoOptions
    @OptionGroup var selection: DeadLetterSelection

    @Flag(help: "Delete without asking (required when stdin is not a terminal).")
    var yes = false

    func run() throws {
        if !yes { try Terminal.requireConfirmable("delete dead letters") }
        let redis = try connection.connect().connection
        let store = try mongo.store()
        defer { store.close() }
        let purge = DeadLetterPurge(queue: DeadLetterQueue(redis: redis), archive: DeadLetterArchive(store: store))
        do {
            let plan = try purge.plan(selection.scope, reason: selection.reason)
            for id in plan.missing { Terminal.warn("skipped \(id): no such dead letter") }
            if plan.count > 0 && !yes && !Terminal.confirm("Delete \(DeadLetterTable.count(plan.count))?") {
                Terminal.warn("cancelled: nothing deleted")
                throw ExitCode.failure
            }
            var progress = ProgressReporter(label: "purge", total: plan.count)
            let purged = try purge.run(plan) { progress?.show(done: $0) }
            Terminal.output("purged \(purged)")
        } catch let error as RedisError {
            throw ControlError("\(error)")
        }
    }
}
