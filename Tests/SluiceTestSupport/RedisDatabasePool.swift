import Foundation
import SluiceRedis
import Synchronization
import Testing

/// One test target's share of the test Redis's databases (scripts/test.sh starts it
/// and lists every target's ranges), handed out one per test, each flushed first: the
/// one way every test target gets a Redis database of its own.
public final class RedisDatabasePool: Sendable {
    private let target: String
    private let databases: [Int]
    private let taken = Atomic<Int>(0)

    /// `target`'s databases, the `ranges` in order.
    public init(_ target: String, _ ranges: Range<Int>...) {
        self.target = target
        databases = ranges.flatMap { Array($0) }
    }

    /// The server's URL; a missing variable fails the test with the fix, it never skips it.
    public static func serverURL() throws -> String {
        try #require(
            ProcessInfo.processInfo.environment["SLUICE_TEST_REDIS_URL"],
            "SLUICE_TEST_REDIS_URL is not set: run the tests with `make test`, which starts a private Redis and sets it")
    }

    /// The URL of a database no other test of the run uses, flushed.
    public func fresh() throws -> String {
        let url = try next()
        _ = try RedisConnection(endpoint: RedisEndpoint(url: url)).run(RedisCommand("FLUSHDB"))
        return url
    }

    /// The URL of a database no other test of the run uses, as it is (a spawned process flushes or fills it).
    public func next() throws -> String {
        let index = taken.add(1, ordering: .relaxed).oldValue
        try #require(index < databases.count, "more \(target) Redis tests than its \(databases.count) databases (scripts/test.sh)")
        let base = try Self.serverURL()
        return (base.hasSuffix("/") ? String(base.dropLast()) : base) + "/\(databases[index])"
    }
}
