import SluiceMongo
import SluiceRedis

/// Why a batch was not written and acknowledged: what the consumer loop decides on
/// (`BatchRetryPolicy`), kept typed from where it happened.
enum BatchFailure: Error, CustomStringConvertible {
    /// MongoDB answered, with an error (a command it refused): retried a few times, then
    /// the batch is released to redelivery and, past `SLUICE_MAX_DELIVERIES`, the dead letters.
    case storeRejected(MongoError)
    /// MongoDB could not be reached, or a write's outcome is unknown: retried for as long
    /// as it takes, counting against no entry (the backlog waits; `/readyz` says why).
    case storeUnreachable(MongoError)
    /// Redis failed (session stitching, the acknowledgement step): retried until it answers.
    case redis(RedisError)
    /// Two upserts raced to create one document and the loser did not apply: tried again.
    case raced(collection: String, message: String)

    /// A MongoDB error by whether the same call may succeed later unchanged.
    init(_ error: MongoError) {
        self = error.isRetryable ? .storeUnreachable(error) : .storeRejected(error)
    }

    /// Any error a batch's steps throw; one of another type (none is expected) is taken
    /// as a refusal, so it is retried a bounded number of times and never for ever.
    init(classifying error: any Error) {
        switch error {
        case let failure as BatchFailure: self = failure
        case let mongo as MongoError: self.init(mongo)
        case let redis as RedisError: self = .redis(redis)
        default: self = .storeRejected(.invalidArgument(operation: "batch", collection: "", reason: "\(error)"))
        }
    }

    var description: String {
        switch self {
        case .storeRejected(let error): "MongoDB refused the batch: \(error)"
        case .storeUnreachable(let error): "MongoDB unreachable: \(error)"
        case .redis(let error): "Redis failed: \(error)"
        case .raced(let collection, let message): "upsert raced on \(collection): \(message)"
        }
    }
}

/// How many times the consumer tries one batch before releasing it: unbounded while
/// a store is unreachable (an outage must dead-letter nothing), `maxRefusals` when
/// MongoDB answers with an error (a batch it keeps refusing must not stall the
/// consumer: released, its entries are claimed again after `SLUICE_CLAIM_IDLE`,
/// counting a delivery each time, and dead-lettered past `SLUICE_MAX_DELIVERIES`).
struct BatchRetryPolicy {
    /// What to do after a failed attempt.
    enum Decision: Equatable {
        case retry
        case release
    }

    static let maxRefusals = 3
    private(set) var refusals = 0

    /// The decision after `failure`.
    mutating func decide(after failure: BatchFailure) -> Decision {
        guard case .storeRejected = failure else { return .retry }
        refusals += 1
        return refusals >= Self.maxRefusals ? .release : .retry
    }
}
