import ArgumentParser

/// `sluicectl`: the operator's command line.
public struct SluiceControlCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "sluicectl",
        abstract: "Inspect and operate a Sluice pipeline.",
        discussion: "Connection options also read SLUICE_REDIS_URL and SLUICE_PARTITIONS, so the same environment as ingest and worker works unchanged.",
        subcommands: [StreamsCommand.self, DeadCommand.self, EraseCommand.self, RollupsCommand.self])

    public init() {}
}
