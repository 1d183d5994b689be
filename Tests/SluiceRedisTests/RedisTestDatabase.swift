import Foundation
import SluiceRedis
import Synchronization
import Testing

/// A flushed Redis database of its own for one test, on the server the test command started.
///
/// Databases 288...319 are this target's (scripts/test.sh lists every target's range).
struct RedisTestDatabase {
    let url: String
    let endpoint: RedisEndpoint
    let connection: RedisConnection

    private static let nextDatabase = Atomic<Int>(288)

    /// Connects to a fresh database; fails (never skips) without `SLUICE_TEST_REDIS_URL`.
    static func fresh() throws -> RedisTestDatabase {
        let base = try #require(
            ProcessInfo.processInfo.environment["SLUICE_TEST_REDIS_URL"],
            "SLUICE_TEST_REDIS_URL is not set: run the tests with `make test`, which starts a private Redis and sets it")
        let database = nextDatabase.add(1, ordering: .relaxed).oldValue
        try #require(database < 320, "more SluiceRedisTests Redis tests than databases 288...319")
        let url = (base.hasSuffix("/") ? String(base.dropLast()) : base) + "/\(database)"
        let endpoint = try RedisEndpoint(url: url)
        let connection = try RedisConnection(endpoint: endpoint)
        _ = try connection.run(RedisCommand("FLUSHDB"))
        return RedisTestDatabase(url: url, endpoint: endpoint, connection: connection)
    }

    /// Runs a command, throwing on an error reply.
    @discardableResult
    func run(_ arguments: String...) throws -> RedisReply {
        try connection.run(RedisCommand(arguments: arguments))
    }
}
