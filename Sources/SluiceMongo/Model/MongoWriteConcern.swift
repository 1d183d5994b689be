import SluiceCore

/// The write concern of every write a store sends (`SLUICE_MONGO_WRITE_CONCERN`):
/// how many replica-set members must have a write before MongoDB confirms it,
/// and so before the worker acknowledges the entries it came from.
public enum MongoWriteConcern: Sendable, Equatable, CustomStringConvertible {
    /// `w: n`: the primary and n - 1 secondaries.
    case members(Int)
    /// `w: "majority"`: a majority of the voting members; survives a failover.
    case majority

    /// How long a write waits for its members before MongoDB answers with a write
    /// concern error (which the worker retries, never acknowledges), unless the
    /// URL sets `wtimeoutMS`.
    public static let defaultTimeoutMilliseconds: Int64 = 10_000

    /// Reads `majority` or a member count from 1 to 50; nil for an empty value
    /// (the URL's `w`, else libmongoc's default `w=1`). `variable` names the
    /// setting the text came from, for the error.
    public static func parse(_ text: String, variable: String) throws(ConfigurationError) -> MongoWriteConcern? {
        let trimmed = String(text.filter { !$0.isWhitespace })
        if trimmed.isEmpty { return nil }
        if trimmed.lowercased() == "majority" { return .majority }
        guard let members = Int(trimmed), (1...50).contains(members) else {
            throw ConfigurationError(variable: variable, value: text, expected: "majority, or the number of members that must have each write (1 to 50)")
        }
        return .members(members)
    }

    public var description: String {
        switch self {
        case .members(let count): "w=\(count)"
        case .majority: "w=majority"
        }
    }
}
