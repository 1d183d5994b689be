import CMongoc

/// A libbson/libmongoc `bson_error_t`, copied out of C, and the one place
/// where such an error becomes a `MongoError`.
struct CError: Sendable {
    /// What the failed C call was doing; decides how an unreachable server is reported.
    enum Context: Sendable {
        /// A read or a command whose effect does not matter if it is lost.
        case read
        /// A write: a lost connection means its outcome is unknown.
        case write
        /// A bulk write that failed without any per-operation error: whatever
        /// the cause, part of it may have been applied, so the outcome is unknown.
        case bulkWrite
        /// Parsing JSON text.
        case json
        /// Parsing a connection URL (already masked).
        case url(String)
    }

    let domain: UInt32
    let code: UInt32
    let message: String

    init(_ error: bson_error_t) {
        domain = error.domain
        code = error.code
        var copy = error
        message = withUnsafeBytes(of: &copy.message) { bytes in
            // libbson NUL-terminates the message; stop at the buffer end regardless.
            let end = bytes.firstIndex(of: 0) ?? bytes.count
            return String(decoding: bytes[..<end], as: UTF8.self)
        }
    }

    /// Server error codes after which the same request can succeed (the
    /// MongoDB retryable-writes list: not primary, shutdown, network).
    static let retryableServerCodes: Set<UInt32> = [
        6, 7, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436,
    ]

    /// Converts this error into the `MongoError` a caller can act on.
    func mongoError(operation: String, collection: String, context: Context) -> MongoError {
        switch context {
        case .json:
            return .invalidJSON(reason: message)
        case .url(let maskedURL):
            return .invalidURL(maskedURL, reason: message)
        case .bulkWrite:
            return .outcomeUnknown(
                operation: operation, collection: collection,
                message: "\(message) (libmongoc domain \(domain), code \(code))")
        case .read, .write:
            break
        }
        let unreachable =
            domain == MONGOC_ERROR_STREAM.rawValue
            || domain == MONGOC_ERROR_SERVER_SELECTION.rawValue
            || domain == MONGOC_ERROR_PROTOCOL.rawValue
            || domain == MONGOC_ERROR_WRITE_CONCERN.rawValue
            || (domain == MONGOC_ERROR_SERVER.rawValue && Self.retryableServerCodes.contains(code))
        if unreachable {
            let detail = "\(message) (libmongoc domain \(domain), code \(code))"
            if case .write = context {
                return .outcomeUnknown(operation: operation, collection: collection, message: detail)
            }
            return .unavailable(operation: operation, collection: collection, message: detail)
        }
        let detail =
            domain == MONGOC_ERROR_SERVER.rawValue
            ? message : "\(message) (rejected by libmongoc, domain \(domain))"
        return .commandFailed(operation: operation, collection: collection, code: Int(code), message: detail)
    }
}
