import Logging
import NIOPosix
import SluiceMongo
import SluiceRedis
import SluiceReports

/// Runs a `ReportSource` read on NIO's blocking thread pool (libmongoc and hiredis
/// block), with a Redis connection lent to it alone for the call (a `ReportSource` holds
/// one and is not for concurrent use), and the process's `RollupCache` (nil: none). A
/// failing store or Redis is a 503 for the caller; the cause goes to the log.
struct ReportRunner: Sendable {
    let store: MongoStore
    let redis: RedisConnectionPool
    let cache: RollupCache?
    let logger: Logger

    /// `body`'s result, computed off the cooperative pool.
    func run<Result: Sendable>(_ body: @escaping @Sendable (ReportSource) throws(ReportError) -> Result) async throws(DashboardError) -> Result {
        let (store, redis, cache) = (store, redis, cache)
        do {
            return try await NIOThreadPool.singleton.runIfActive {
                try redis.withConnection { connection in try body(ReportSource(store: store, redis: connection, cache: cache)) }
            }
        } catch {
            logger.error("report failed", metadata: ["sluice.error": "\(error)"])
            throw .unavailable("the store or Redis did not answer, retry later")
        }
    }
}
