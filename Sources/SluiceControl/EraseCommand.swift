import ArgumentParser
import SluiceMongo
import SluiceRedis

/// `sluicectl erase`: deletes everything stored about a visitor or a user.
struct EraseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "erase",
        abstract: "Erase a visitor's or a user's data from MongoDB and Redis.",
        discussion: """
            For each --visitor, deletes every document with that visitorId from the six event \
            collections and sessions, the visitors document with that _id, the session key \
            sess:{id} in Redis and the dead letters (in events:dead and in MongoDB's deadletters) \
            whose event has that visitorId. For each \
            --user, first finds the visitors linked to the user (visitors whose userIds hold \
            it, sessions and events with that userId), then erases those visitors and every \
            other document and dead letter with that userId.

            One line per visitor or user gives the counts; --dry-run counts without deleting. \
            Running the same erase again deletes nothing more and reports zeros. Events of the \
            person still waiting in the streams are not stored yet and are only counted (a \
            warning): run the erase again once `sluicectl streams` shows no lag. Without --yes \
            the erasure is confirmed on the terminal; when stdin is not a terminal, --yes is \
            required. See docs/privacy.md.
            """)

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var mongo: MongoOptions

    @Option(name: .customLong("visitor"), parsing: .upToNextOption, help: ArgumentHelp("Visitor ids to erase.", valueName: "id"))
    var visitors: [String] = []

    @Option(name: .customLong("user"), parsing: .upToNextOption, help: ArgumentHelp("User ids to erase, with their linked visitors.", valueName: "id"))
    var users: [String] = []

    @Flag(help: "Count what would be erased, and change nothing.")
    var dryRun = false

    @Flag(help: "Erase without asking (required when stdin is not a terminal).")
    var yes = false

    func validate() throws {
        if visitors.isEmpty && users.isEmpty { throw ValidationError("Give the ids to erase with --visitor or --user.") }
        if !visitors.isEmpty && !users.isEmpty { throw ValidationError("Give either --visitor or --user ids, not both: run erase once for each.") }
        if (visitors + users).contains(where: { $0.isEmpty }) { throw ValidationError("An id must not be empty.") }
    }

    /// The named ids, each once, in the order given.
    var ids: [String] {
        var seen = Set<String>()
        return (visitors.isEmpty ? users : visitors).filter { seen.insert($0).inserted }
    }

    func run() throws {
        if !yes && !dryRun { try Terminal.requireConfirmable("erase personal data") }
        // Both URLs are checked before either server is contacted.
        let store = try mongo.store()
        defer { store.close() }
        let (redis, partitions) = try connection.connect()
        try MongoOptions.ping(store)
        let erasure = Erasure(store: store, redis: redis, partitions: partitions, dryRun: dryRun)
        let subjects: [ErasureSubject]
        do {
            subjects = try visitors.isEmpty ? ids.map { id throws(MongoError) in try erasure.subject(forUser: id) } : ids.map(ErasureSubject.visitor)
        } catch {
            throw ControlError("\(error)")
        }
        if !yes && !dryRun
            && !Terminal.confirm(
                "Erase every document, session key and dead letter of \(subjects.map(\.label).joined(separator: ", "))? This cannot be undone.")
        {
            Terminal.warn("cancelled: nothing erased")
            throw ExitCode.failure
        }
        do {
            let deadLetters = try erasure.deadLetters(of: subjects)
            for (subject, letters) in zip(subjects, deadLetters) {
                var counts = try erasure.eraseStored(subject)
                counts.deadLetters = try erasure.eraseDeadLetters(letters)
                Terminal.output(counts.line(for: subject, dryRun: dryRun))
            }
            let waiting = try WaitingEntries(redis: redis, partitions: partitions).scan(subjects)
            for (subject, findings) in zip(subjects, waiting) {
                for finding in findings { Terminal.warn(Self.warning(finding, subject: subject)) }
            }
        } catch let error as ControlError {
            throw ControlError(error.description + Self.rerunHint(dryRun))
        } catch {
            throw ControlError("\(error)" + Self.rerunHint(dryRun))
        }
    }

    private static func rerunHint(_ dryRun: Bool) -> String {
        dryRun ? "" : " (part may be erased already: run the same erase again to finish)"
    }

    /// The warning about events a worker has not stored yet.
    static func warning(_ finding: WaitingEntries.Finding, subject: ErasureSubject) -> String {
        let advice = "will be stored when a worker reaches them: run this erase again once `sluicectl streams` shows no lag"
        if finding.truncated {
            return "warning: the backlog of \(finding.stream) is too long to check in full: \(subject.label) may have more "
                + "events waiting there than the \(finding.count) found; they \(advice)"
        }
        return "warning: \(finding.count) event\(finding.count == 1 ? "" : "s") of \(subject.label) still waiting in \(finding.stream) \(advice)"
    }
}
