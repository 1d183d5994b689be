import ArgumentParser
import SluiceMongo

/// `sluicectl rollups verify`: prints every way the stored sessions, visitors and
/// roll-ups of a range differ from a recount of the raw events.
struct RollupsVerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Compare stored sessions, visitors and roll-ups of a time range with the raw events.",
        discussion: """
            Prints one line per difference ("<session|visitor|rollup> <id> <field>: stored X, \
            recomputed Y") and a summary; exits 0 when there is none and 1 when there is any. \
            Documents are written behind their Redis state, so it first waits (up to --wait \
            seconds) until Redis holds no unflushed change; if some remain it says so and \
            compares anyway. human.visitors may differ from the exact count by 2% (at least 1): \
            the worker counts it with a HyperLogLog.
            """)

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var mongo: MongoOptions
    @OptionGroup var range: TimeRangeOptions
    @OptionGroup var funnelOptions: FunnelOptions

    @Option(help: ArgumentHelp("Seconds to wait for unflushed changes to reach MongoDB before comparing.", valueName: "seconds"))
    var wait = 90

    func validate() throws {
        _ = try range.resolved()
        _ = try funnelOptions.matcher()
        if wait < 0 { throw ValidationError("--wait must be 0 or more seconds, not \(wait).") }
    }

    func run() throws {
        let (from, to) = try range.resolved()
        let funnels = try funnelOptions.matcher()
        let store = try mongo.store()
        defer { store.close() }
        let (redis, partitions) = try connection.connect()
        try MongoOptions.ping(store)
        let differences: [DerivedDifference]
        let summary: DifferenceSummary
        do {
            _ = try FlushWait(redis: redis, partitions: partitions).wait(seconds: wait)
            let recount = try DerivedRecount.read(from: from, to: to, reader: StoredEventReader(store: store), funnels: funnels)
            differences = DerivedComparison.differences(recount, sessionDocuments: recount.sessionDocumentsFillingMissing)
            summary = DifferenceSummary(
                differences: differences, sessions: recount.sessionIds.count, visitors: recount.visitors.count, buckets: recount.buckets.count)
        } catch {
            throw ControlError("\(error)")
        }
        for difference in differences { Terminal.output(difference.line) }
        Terminal.output(Self.rangeLine(from: from, to: to) + summary.line)
        if !differences.isEmpty { throw ExitCode.failure }
    }

    /// "2026-12-01T10:00:00.000Z to 2026-12-02T10:00:00.000Z: ".
    static func rangeLine(from: Int64, to: Int64) -> String {
        "\(DerivedDifference.text(from, isTime: true)) to \(DerivedDifference.text(to, isTime: true)): "
    }
}
