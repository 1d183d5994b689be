import SluiceRollups

/// Whose events a report counts: people (the default), bots, or both. Visitors,
/// sessions, bounces, visit duration and the session breakdowns (entry and exit
/// pages, referrers, channels, campaigns, devices) are kept for people only, so
/// `bots` shows none of them and `all` shows people's.
public enum ReportAudience: String, Sendable, CaseIterable {
    case humans, bots, all

    /// The audience named `name`, `humans` when nil or empty.
    public static func parse(_ name: String?) throws(ReportParameterError) -> ReportAudience {
        guard let name, !name.isEmpty else { return .humans }
        guard let audience = ReportAudience(rawValue: name) else { throw .unknownAudience(name) }
        return audience
    }

    /// The roll-up parts counted.
    public var parts: [RollupAudience] {
        switch self {
        case .humans: [.human]
        case .bots: [.bot]
        case .all: [.human, .bot]
        }
    }
}

/// How many rows a report's tables keep.
public enum ReportLimit {
    /// Rows per table unless asked otherwise.
    public static let standard = 10
    /// The limits a query string may ask for.
    public static let allowed = 1...1000

    /// The limit in `text` (`limit=`), `standard` when nil or empty.
    public static func parse(_ text: String?) throws(ReportParameterError) -> Int {
        guard let text, !text.isEmpty else { return standard }
        guard let limit = Int(text), allowed.contains(limit) else { throw .invalidLimit(text) }
        return limit
    }
}
