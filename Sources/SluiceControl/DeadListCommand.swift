import ArgumentParser
import SluiceRedis

/// `sluicectl dead list`: the newest dead letters, one line each.
struct DeadListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List dead letters, newest first.",
        discussion: """
            One line per dead letter: its id (for `dead show`, `replay` and `purge`), where \
            it is (events:dead, or MongoDB's deadletters once the worker moved it there past \
            SLUICE_DEAD_LETTER_LIMIT or SLUICE_DEAD_LETTER_MAX_AGE), when it failed, the \
            stream it came from, the event's type and id (when e is valid JSON), how often it \
            was delivered, and the reason, cut to fit the terminal. Letters in events:dead \
            come first, then the moved ones, each newest first. The footer counts the letters \
            shown against all letters in both places. With --reason, letters are scanned page \
            by page until --limit letters match. When MongoDB cannot be read, events:dead is \
            listed alone, with a warning.
            """)

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var mongo: MongoOptions

    @Option(help: "Show at most this many dead letters.")
    var limit = 20

    @OptionGroup var reasonFilter: ReasonFilter

    /// The text a letter's reason must contain, if any.
    var reason: String? { reasonFilter.text }

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func validate() throws {
        if limit < 1 { throw ValidationError("--limit must be at least 1.") }
    }

    func run() throws {
        let queue = DeadLetterQueue(redis: try connection.connect().connection)
        let store = try mongo.store()
        defer { store.close() }
        var letters: [DeadLetter]
        var counts: DeadLetterCounts
        do {
            letters = try queue.newest(limit: limit, reason: reason)
            counts = DeadLetterCounts(stream: try queue.length())
        } catch {
            throw ControlError("\(error)")
        }
        let archive = DeadLetterArchive(store: store)
        do {
            counts.archive = try archive.count()
            if letters.count < limit { letters += try archive.newest(limit: limit - letters.count, reason: reason) }
        } catch {
            Terminal.warn("warning: listing \(DeadLetterQueue.key) only: \(error)")
        }
        Terminal.output(
            json ? DeadLetterTable.json(letters, counts: counts) : DeadLetterTable.text(letters, counts: counts, reason: reason, width: Terminal.outputWidth()))
    }
}
