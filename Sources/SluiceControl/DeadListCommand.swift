import ArgumentParser
import SluiceRedis

/// `sluicectl dead list`: the newest dead letters, one line each.
struct DeadListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List dead letters, newest first.",
        discussion: """
            One line per dead letter: its id (for `dead show`, `replay` and `purge`), when \
            it failed, the stream it came from, the event's type and id (when e is valid \
            JSON), how often it was delivered, and the reason, cut to fit the terminal. The \
            footer counts the letters shown against all letters in events:dead. With \
            --reason, events:dead is scanned page by page, newest first, until --limit \
            letters match.
            """)

    @OptionGroup var connection: ConnectionOptions

    @Option(help: "Show at most this many dead letters.")
    var limit = 20

    @Option(help: ArgumentHelp("Only dead letters whose reason contains this text (case-insensitive).", valueName: "text"))
    var reason: String?

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func validate() throws {
        if limit < 1 { throw ValidationError("--limit must be at least 1.") }
        if reason?.isEmpty == true { throw ValidationError("--reason must not be empty.") }
    }

    func run() throws {
        let queue = DeadLetterQueue(redis: try connection.connect().connection)
        let letters: [DeadLetter]
        let total: Int64
        do {
            letters = try queue.newest(limit: limit, reason: reason)
            total = try queue.length()
        } catch {
            throw ControlError("\(error)")
        }
        Terminal.output(json ? DeadLetterTable.json(letters, total: total) : DeadLetterTable.text(letters, total: total, reason: reason, width: Terminal.outputWidth()))
    }
}
