import ArgumentParser
import SluiceRedis

/// `sluicectl dead show`: everything one dead letter holds.
struct DeadShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show every field of one dead letter, with the event pretty-printed.",
        discussion: """
            Prints the reason, the stream and entry id it came from, deliveries, failedAt, \
            the schema version v and the event e as indented JSON, for a letter in events:dead \
            or one the worker moved to MongoDB's deadletters. Exits with status 1 if neither \
            holds a letter with this id.
            """)

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var mongo: MongoOptions

    @Argument(help: ArgumentHelp("The dead letter's id as `dead list` shows it (<ms>-<seq>).", valueName: "id"))
    var id: String

    @Flag(help: "Print JSON (e as a JSON value, other fields as strings) instead of text.")
    var json = false

    func validate() throws {
        // A ControlError, not a ValidationError: a wrong id is a lookup failure (status 1), like a missing one.
        guard DeadLetter.isValidID(id) else {
            throw ControlError("'\(id)' is not a dead-letter id: expected <ms>-<seq>, e.g. 1712345678901-0")
        }
    }

    func run() throws {
        let queue = DeadLetterQueue(redis: try connection.connect().connection)
        var found: DeadLetter?
        do {
            found = try queue.letter(id: id)
        } catch {
            throw ControlError("\(error)")
        }
        if found == nil {
            let store = try mongo.store()
            defer { store.close() }
            found = try DeadLetterArchive(store: store).letters(ids: [id])[id]
        }
        guard let letter = found else {
            throw ControlError("no dead letter \(id) in \(DeadLetterPlace.stream.rawValue) or \(DeadLetterPlace.archive.rawValue)")
        }
        Terminal.output(json ? letter.detailJSON : letter.detail)
    }
}
