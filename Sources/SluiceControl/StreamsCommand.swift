import ArgumentParser
import SluiceCore
import SluiceRedis

/// `sluicectl streams`: length, pending, lag and consumers of every partition.
struct StreamsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "streams",
        abstract: "Show each partition stream's length, pending entries, lag and consumers.",
        discussion: """
            LENGTH is the entries held in the stream, PENDING those delivered to a worker \
            but not yet acknowledged, LAG those not yet delivered to any worker (empty when \
            Redis cannot tell), CONSUMERS the workers known to the group with their idle time.
            """)

    @OptionGroup var connection: ConnectionOptions

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func run() throws {
        let (redis, partitions) = try connection.connect()
        let report: [StreamStatus]
        do {
            report = try StreamStatus.read(from: redis, partitions: partitions)
        } catch {
            throw ControlError("\(error)")
        }
        Terminal.output(json ? StreamStatus.json(report) : StreamStatus.table(report))
    }
}
