import ArgumentParser
import Foundation
import SluiceCore

/// The `--from`/`--to` time range of `sluicectl rollups`, resolved to epoch milliseconds.
struct TimeRangeOptions: ParsableArguments {
    /// The range's length when only `--to` (or nothing) is given.
    static let defaultSpan: Int64 = 86_400_000

    @Option(
        help: ArgumentHelp(
            "Start of the range, included: ISO 8601 (2026-12-02T10:00:00Z), a date (its UTC midnight) or epoch ms (default: 24 h before --to).",
            valueName: "time"))
    var from: String?

    @Option(help: ArgumentHelp("End of the range, excluded, in the same forms (default: now).", valueName: "time"))
    var to: String?

    /// The range `[from, to)` in epoch ms, `now` standing in for a missing `--to`.
    func resolved(now: Int64 = Int64(Date().timeIntervalSince1970 * 1000)) throws -> (from: Int64, to: Int64) {
        let end = try to.map { try Self.milliseconds($0, option: "--to") } ?? now
        let start = try from.map { try Self.milliseconds($0, option: "--from") } ?? end - Self.defaultSpan
        guard start < end else {
            throw ValidationError(
                "--from (\(Timestamp.iso8601(milliseconds: start))) must be before --to (\(Timestamp.iso8601(milliseconds: end))).")
        }
        return (start, end)
    }

    /// A time given as ISO 8601, a date or epoch milliseconds.
    static func milliseconds(_ text: String, option: String) throws -> Int64 {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if !trimmed.isEmpty, trimmed.allSatisfy(\.isNumber), let milliseconds = Int64(trimmed) { return milliseconds }
        if let milliseconds = Timestamp.parseISO8601(trimmed) { return milliseconds }
        throw ValidationError(
            "\(option) '\(Terminal.escaped(text))' is not a time: give ISO 8601 (2026-12-02T10:00:00Z), a date (2026-12-02, its UTC midnight) or epoch milliseconds."
        )
    }
}
