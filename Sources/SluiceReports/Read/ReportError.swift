import SluiceMongo
import SluiceRedis

/// Why a report could not be made: the store or Redis failed (retry later; a 503), or a
/// roll-up document is not what `RollupDocument` writes (run `sluicectl rollups rebuild`).
public enum ReportError: Error, Sendable, CustomStringConvertible {
    case store(MongoError)
    case redis(RedisError)
    /// A `rollups` document without the fields every bucket has.
    case malformedDocument(id: String, problem: String)

    public var description: String {
        switch self {
        case .store(let error): "reading roll-ups failed: \(error)"
        case .redis(let error): "counting unique visitors in Redis failed: \(error)"
        case .malformedDocument(let id, let problem):
            "roll-up document \(id) is malformed (\(problem)); rebuild its range with `sluicectl rollups rebuild`"
        }
    }
}
