import Foundation

extension ReportRange {
    /// The range a query string asks for: `range` (a `Preset`'s name; `7d` when absent,
    /// `custom` when absent and `from` or `to` is given), `from`/`to` (`YYYY-MM-DD`, for
    /// `custom`) and `tz` (an IANA time zone name, UTC when absent); `now` (epoch ms)
    /// decides what today is. Throws what a 400 answer needs.
    public static func parse(range: String?, from: String?, to: String?, timeZone name: String?, now: Int64) throws(ReportParameterError) -> ReportRange {
        let zone = try timeZone(named: name)
        let presetName = range.flatMap { $0.isEmpty ? nil : $0 } ?? (from != nil || to != nil ? Preset.custom.rawValue : Preset.last7Days.rawValue)
        guard let preset = Preset(rawValue: presetName) else { throw .unknownPreset(presetName) }
        let today = day(containing: now, in: zone)
        switch preset {
        case .today: return try ReportRange(first: today, last: today, timeZone: zone, now: now)
        case .yesterday: return try ReportRange(first: today.adding(days: -1), last: today.adding(days: -1), timeZone: zone, now: now)
        case .last7Days: return try ReportRange(first: today.adding(days: -6), last: today, timeZone: zone, now: now)
        case .last30Days: return try ReportRange(first: today.adding(days: -29), last: today, timeZone: zone, now: now)
        case .custom:
            return try ReportRange(first: try date(from, parameter: "from"), last: try date(to, parameter: "to"), timeZone: zone, now: now)
        }
    }

    /// The zone named `name` (IANA), UTC when nil or empty.
    public static func timeZone(named name: String?) throws(ReportParameterError) -> TimeZone {
        guard let name, !name.isEmpty else { return TimeZone(identifier: "UTC")! }
        guard let zone = TimeZone(identifier: name) else { throw .unknownTimeZone(name) }
        return zone
    }

    private static func date(_ text: String?, parameter: String) throws(ReportParameterError) -> CivilDate {
        guard let text, !text.isEmpty else { throw .missingDate(parameter: parameter) }
        guard let date = CivilDate(text) else { throw .invalidDate(parameter: parameter, value: text) }
        return date
    }
}
