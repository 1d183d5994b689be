/// An error from the MongoDB store, with the operation, the collection and
/// the server's (or libmongoc's) message.
public enum MongoError: Error, CustomStringConvertible, Sendable {
    /// The connection URL could not be parsed (the URL is shown with its password masked).
    case invalidURL(String, reason: String)
    /// A JSON filter or document could not be parsed.
    case invalidJSON(reason: String)
    /// The request itself is unusable (for example an index with no keys).
    case invalidArgument(operation: String, collection: String, reason: String)
    /// A read or command could not reach a server (network, server selection). Retryable.
    case unavailable(operation: String, collection: String, message: String)
    /// A write may or may not have been applied (network error, server
    /// selection timeout, write concern error). Retry it; never acknowledge it.
    case outcomeUnknown(operation: String, collection: String, message: String)
    /// The server (or libmongoc, before sending) rejected the command.
    case commandFailed(operation: String, collection: String, code: Int, message: String)
    /// The store was closed before or during the call.
    case closed(operation: String)

    /// Whether the same call may succeed later without any change.
    public var isRetryable: Bool {
        switch self {
        case .unavailable, .outcomeUnknown: true
        case .invalidURL, .invalidJSON, .invalidArgument, .commandFailed, .closed: false
        }
    }

    /// A message for a person: what failed, where, why, and what to do.
    public var description: String {
        switch self {
        case .invalidURL(let url, let reason) where url.hasPrefix("mongodb+srv://"):
            "invalid MongoDB URL \(url): \(reason) (a mongodb+srv URL names one host whose DNS SRV record "
                + "_mongodb._tcp.<host> lists the servers, looked up at start: check the name and the DNS, "
                + "or list the servers: mongodb://h1,h2,h3/[database]?replicaSet=<name>)"
        case .invalidURL(let url, let reason):
            "invalid MongoDB URL \(url): \(reason) "
                + "(expected mongodb://[user:password@]host[:port]/[database][?options])"
        case .invalidJSON(let reason):
            "invalid JSON for MongoDB: \(reason)"
        case .invalidArgument(let operation, let collection, let reason):
            "MongoDB \(operation) on \(Self.target(collection)): \(reason)"
        case .unavailable(let operation, let collection, let message):
            "MongoDB \(operation) on \(Self.target(collection)) could not reach a server: \(message) "
                + "(check SLUICE_MONGO_URL and that the server is up; retry later)"
        case .outcomeUnknown(let operation, let collection, let message):
            "MongoDB \(operation) on \(Self.target(collection)): outcome unknown: \(message) "
                + "(retry the whole write; do not acknowledge it)"
        case .commandFailed(let operation, let collection, let code, let message):
            "MongoDB \(operation) on \(Self.target(collection)) failed (code \(code)): \(message)"
        case .closed(let operation):
            "MongoDB \(operation): the store is closed"
        }
    }

    private static func target(_ collection: String) -> String {
        collection.isEmpty ? "the server" : "'\(collection)'"
    }
}
