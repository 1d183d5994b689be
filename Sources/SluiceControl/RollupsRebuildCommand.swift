import ArgumentParser
import Foundation
import SluiceCore
import SluiceMongo
import SluiceRollups

/// `sluicectl rollups rebuild`: rewrites the sessions, visitors and roll-ups of a closed
/// time range from the raw events.
struct RollupsRebuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rebuild",
        abstract: "Rewrite sessions, visitors and roll-ups of a time range from the raw events.",
        discussion: """
            Writes absolute values ($set): each session starting in the range, each visitor \
            with a human event in it (except visitors whose state Redis still holds: the live \
            pipeline writes those), each roll-up bucket of it with a fresh visitorsHLL. Refuses \
            a range reaching an hour bucket the live pipeline still owns (until --rollup-window \
            after the hour's end). --dry-run prints the differences the rebuild would fix and \
            writes nothing.
            """)

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var mongo: MongoOptions
    @OptionGroup var range: TimeRangeOptions
    @OptionGroup var funnelOptions: FunnelOptions

    @Option(
        help: ArgumentHelp(
            Setting.rollupWindow.described(
                "Seconds after its end a bucket stays open in Redis, owned by the live pipeline, as the worker has it; 0 claims every closed hour"
            ).helpText, valueName: "seconds"))
    var rollupWindow: Int?

    @Flag(help: "Print the differences a rebuild would fix, and write nothing.")
    var dryRun = false

    func validate() throws {
        _ = try range.resolved()
        _ = try funnelOptions.matcher()
        _ = try window()
    }

    /// The roll-up window in milliseconds, from the flag, else the worker's setting and
    /// its default; unlike the worker's, 0 is allowed (a rebuild of a store nothing
    /// writes live, such as a benchmark's).
    func window(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Int64 {
        let setting = Setting.rollupWindow
        let settings = Settings(environment: environment, flags: [setting: rollupWindow])
        do {
            return Int64(try settings.seconds(setting.variable, default: Int(setting.defaultValue) ?? 0, range: 0...31 * 86_400)) * 1000
        } catch {
            throw ValidationError("\(error)")
        }
    }

    func run() throws {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let (from, to) = try range.resolved(now: now)
        let window = try self.window()
        let funnels = try funnelOptions.matcher()
        if let open = Self.firstOpenHour(from: from, to: to, now: now, window: window) {
            throw ControlError(
                "refusing to rebuild: the hour starting \(DerivedDifference.text(open.start, isTime: true)) is still open (until "
                    + "\(DerivedDifference.text(open.end + window, isTime: true))) and the live pipeline owns it; "
                    + "end the range at or before \(DerivedDifference.text(open.start, isTime: true)) with --to")
        }
        let store = try mongo.store()
        defer { store.close() }
        let (redis, partitions) = try connection.connect()
        try MongoOptions.ping(store)
        do {
            let recount = try DerivedRecount.read(from: from, to: to, reader: StoredEventReader(store: store), funnels: funnels)
            let live = try DerivedRebuild.liveVisitors(of: recount, redis: redis, partitions: partitions)
            let rebuild = DerivedRebuild(recount: recount, liveVisitors: live, closedBefore: now - window)
            let differences = rebuild.differences
            for difference in differences { Terminal.output((dryRun ? "would fix " : "fixing ") + difference.line) }
            if !dryRun { try rebuild.write(store: store, redis: redis, now: now) }
            Terminal.output(RollupsVerifyCommand.rangeLine(from: from, to: to) + Self.summary(rebuild, differences: differences.count, dryRun: dryRun))
            for id in rebuild.liveVisitors { Terminal.warn("skipped visitor \(id): its state is live in Redis, the worker writes it") }
            for id in rebuild.sessionsWithoutEvents { Terminal.warn("kept session \(id): no stored event has its id any more") }
        } catch let error as ControlError {
            throw error
        } catch {
            throw ControlError("\(error)")
        }
    }

    /// The first hour bucket overlapping `[from, to)` that is still open at `now`, if any.
    static func firstOpenHour(from: Int64, to: Int64, now: Int64, window: Int64) -> RollupBucket? {
        // Hours ending after now - window are open; the first of them starts at or after this.
        var hour = RollupBucket(site: nil, granularity: .hour, containing: now - window - RollupBucket.Granularity.hour.milliseconds)
        if !hour.isOpen(now: now, window: window) { hour = RollupBucket(site: "", granularity: .hour, start: hour.end) }
        let first = max(hour.start, RollupBucket(site: nil, granularity: .hour, containing: from).start)
        return first < to ? RollupBucket(site: "", granularity: .hour, start: first) : nil
    }

    /// "wrote 12 sessions, 5 visitors, 26 roll-up buckets (3 differences fixed)".
    static func summary(_ rebuild: DerivedRebuild, differences: Int, dryRun: Bool) -> String {
        func count(_ number: Int, _ noun: String) -> String { "\(number) \(noun)\(number == 1 ? "" : "s")" }
        let written = [
            count(rebuild.sessions.count, "session"), count(rebuild.visitors.count, "visitor"), count(rebuild.recount.buckets.count, "roll-up bucket"),
        ]
        .joined(separator: ", ")
        return dryRun
            ? "dry run: would write \(written) (\(count(differences, "difference")) to fix); nothing written"
            : "wrote \(written) (\(count(differences, "difference")) fixed)"
    }
}
