/// A query-string value a report cannot use: which parameter and what is wrong with it,
/// for a 400 answer (`{"field": parameter, "problem": problem}`).
public enum ReportParameterError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `range` is none of the presets.
    case unknownPreset(String)
    /// A custom range without `from` or `to`.
    case missingDate(parameter: String)
    /// `from` or `to` is not a `YYYY-MM-DD` date that exists.
    case invalidDate(parameter: String, value: String)
    /// `from` is after `to`.
    case fromAfterTo(from: CivilDate, to: CivilDate)
    /// The range spans more days than `ReportRange.maxDays`.
    case rangeTooLong(days: Int)
    /// `tz` is not an IANA time zone name.
    case unknownTimeZone(String)
    /// `audience` is none of `ReportAudience`'s names.
    case unknownAudience(String)
    /// `limit` is not a whole number in `ReportLimit.allowed`.
    case invalidLimit(String)

    /// The query parameter at fault.
    public var parameter: String {
        switch self {
        case .unknownPreset: "range"
        case .missingDate(let parameter), .invalidDate(let parameter, _): parameter
        case .fromAfterTo: "from"
        case .rangeTooLong: "to"
        case .unknownTimeZone: "tz"
        case .unknownAudience: "audience"
        case .invalidLimit: "limit"
        }
    }

    /// What is wrong, and what would be right.
    public var problem: String {
        switch self {
        case .unknownPreset(let value):
            "unknown range \"\(value)\": use one of \(ReportRange.Preset.allCases.map(\.rawValue).joined(separator: ", "))"
        case .missingDate(let parameter): "a custom range needs \(parameter) (YYYY-MM-DD)"
        case .invalidDate(_, let value): "\"\(value)\" is not a date: use YYYY-MM-DD"
        case .fromAfterTo(let from, let to): "from \(from) is after to \(to)"
        case .rangeTooLong(let days): "the range spans \(days) days; at most \(ReportRange.maxDays) are allowed"
        case .unknownTimeZone(let name): "unknown time zone \"\(name)\": use an IANA name such as Europe/Paris or UTC"
        case .unknownAudience(let value):
            "unknown audience \"\(value)\": use one of \(ReportAudience.allCases.map(\.rawValue).joined(separator: ", "))"
        case .invalidLimit(let value): "\"\(value)\" is not a row limit: use a whole number from 1 to \(ReportLimit.allowed.upperBound)"
        }
    }

    public var description: String { "\(parameter): \(problem)" }
}
