/// Who a count is about: people, or bots (kept apart in every bucket).
public enum RollupAudience: String, Sendable, CaseIterable {
    case human, bot

    /// The one-letter tag in Redis hash fields.
    public var tag: String { self == .human ? "h" : "b" }
}

/// The changes one or more events make to one bucket, as Redis hash fields and
/// increments (docs/rollups.md):
///
/// - a total: `<audience>|<metric>`, e.g. `h|pageViews`;
/// - a row of a breakdown: `<audience>|<dimension>|<metric>|<value>`, e.g.
///   `h|page|n|/pricing` (`n` is the row's count; every row has one), or
///   `h|agent|t17|support` (bucket 17 of the agent's time histogram).
///
/// Dimensions and metrics never hold `|`; a value may (it comes last). A value is
/// cut to `maxValueBytes`. The Redis step keeps at most `RollupDelta.maxRows` values
/// per dimension and bucket; later ones count under `RollupDelta.otherValue`.
public struct RollupDelta: Sendable, Equatable {
    /// Field → increment, in first-added order.
    public private(set) var increments: [String: Int64] = [:]
    public private(set) var order: [String] = []

    /// Distinct values kept per dimension, bucket and partition.
    public static let maxRows = 100
    /// Where values past `maxRows` are counted.
    public static let otherValue = "(other)"
    /// Longest value kept, in UTF-8 bytes.
    public static let maxValueBytes = 200
    /// Separates the two parts of a two-part value (tool and error message, endpoint and method).
    public static let valueSeparator: Character = "\u{1F}"

    public init() {}

    public var isEmpty: Bool { order.isEmpty }

    /// Adds `by` to a total.
    public mutating func add(_ audience: RollupAudience, total metric: String, by amount: Int64 = 1) {
        bump(audience.tag + "|" + metric, amount)
    }

    /// Adds `by` to a total, its field name made once.
    mutating func add(_ audience: RollupAudience, total: RollupTotal, by amount: Int64 = 1) {
        bump(Self.totalFields[audience == .human ? 0 : 1][total.index], amount)
    }

    /// Every total's field, by audience (human, bot) and `RollupTotal.index`.
    private static let totalFields = [RollupAudience.human, .bot].map { audience in RollupTotal.allCases.map { audience.tag + "|" + $0.rawValue } }

    /// Adds `by` to `metric` of `value`'s row in `dimension`.
    public mutating func add(_ audience: RollupAudience, _ dimension: String, _ value: String, _ metric: String = "n", by amount: Int64 = 1) {
        bump(audience.tag + "|" + dimension + "|" + metric + "|" + Self.clip(value), amount)
    }

    /// Adds every increment of `other`.
    public mutating func add(_ other: RollupDelta) {
        for field in other.order { bump(field, other.increments[field]!) }
    }

    private mutating func bump(_ field: String, _ amount: Int64) {
        let known = increments.count
        increments[field, default: 0] += amount
        if increments.count != known { order.append(field) }
    }

    /// `value` cut to `bytes` of UTF-8 on a character boundary; empty becomes "(none)".
    public static func clip(_ value: String, bytes limit: Int = maxValueBytes) -> String {
        if value.isEmpty { return "(none)" }
        if value.utf8.count <= limit { return value }
        var kept = ""
        var bytes = 0
        for character in value {
            let size = character.utf8.count
            if bytes + size > limit { break }
            kept.append(character)
            bytes += size
        }
        return kept
    }
}
