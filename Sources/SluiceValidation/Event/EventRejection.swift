import SluiceCore

/// Why a request's events were refused as a whole.
public enum EventRejection: Error, Sendable, Equatable {
    /// One or more fields are invalid (HTTP 400).
    case invalid([ValidationProblem])
    /// An event or the batch is over a size limit (HTTP 413).
    case tooLarge([ValidationProblem])

    /// Every problem named by the rejection.
    public var problems: [ValidationProblem] {
        switch self {
        case .invalid(let p), .tooLarge(let p): return p
        }
    }
}
