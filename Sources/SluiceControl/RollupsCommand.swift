import ArgumentParser

/// `sluicectl rollups`: checks and rewrites the derived documents from raw events.
struct RollupsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollups",
        abstract: "Verify or rebuild sessions, visitors and roll-ups from the raw event collections.",
        discussion: """
            Both count a time range again from the six event collections: the sessions \
            starting in it (pageViews, events, startTime, lastActivity over all the \
            session's events), the visitors with a human event in it (pageViews and \
            visits over all the visitor's events) and the roll-up buckets of it (the hours \
            starting in it, the days lying wholly in it). See docs/operations.md.
            """,
        subcommands: [RollupsVerifyCommand.self, RollupsRebuildCommand.self])
}
