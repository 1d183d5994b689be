import ArgumentParser

/// `sluicectl dead`: the dead-letter stream's commands.
struct DeadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dead",
        abstract: "List, show, replay and purge dead letters (the events:dead stream and MongoDB's deadletters).",
        discussion: """
            A worker dead-letters an entry that MongoDB rejects, that cannot be decoded, or \
            that was delivered too many times without success. Each dead letter keeps the \
            original entry's fields (v, e) and adds why and where it failed: reason, stream, \
            entryId, deliveries and failedAt. Find the cause with `list` and `show`; once it \
            is fixed, `replay` sends the events back to their streams, or `purge` drops them. \
            Past SLUICE_DEAD_LETTER_LIMIT letters (or SLUICE_DEAD_LETTER_MAX_AGE) the worker \
            moves the oldest to MongoDB's deadletters collection; every command here sees \
            them there too.
            """,
        subcommands: [DeadListCommand.self, DeadShowCommand.self, DeadReplayCommand.self, DeadPurgeCommand.self])
}
