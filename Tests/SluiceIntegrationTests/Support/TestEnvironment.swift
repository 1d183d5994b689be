import Foundation
import SluiceMongo
import SluiceRedis
import Synchronization
import Testing

/// The servers and binaries `make test` provides. Missing ones fail the test with
/// the fix, never skip it: an integration test that silently passes is worse than none.
struct TestEnvironment {
    let redisURL: String
    let mongoURL: String
    let binDirectory: String

    private static let nextDatabase = Atomic<Int>(1)

    static func require() throws -> TestEnvironment {
        let environment = ProcessInfo.processInfo.environment
        let hint = "run the tests with `make test`, which starts private Redis and SecantusDB servers and sets it"
        let redis = try #require(environment["SLUICE_TEST_REDIS_URL"], "SLUICE_TEST_REDIS_URL is not set: \(hint)")
        let mongo = try #require(environment["SLUICE_TEST_MONGO_URL"], "SLUICE_TEST_MONGO_URL is not set: \(hint)")
        let bin = try #require(environment["SLUICE_BIN_DIR"], "SLUICE_BIN_DIR is not set: \(hint)")
        return TestEnvironment(redisURL: redis, mongoURL: mongo, binDirectory: bin)
    }

    /// A Redis URL on a database no other test in this run uses.
    func isolatedRedisURL() -> String {
        let taken = Self.nextDatabase.add(1, ordering: .relaxed).oldValue
        // 40...63 belong to SluiceControlTests, which share this test process;
        // the test command's Redis has 128 databases (scripts/test.sh).
        let database = taken < 40 ? taken : taken + 24
        precondition(database < 128, "more integration tests than Redis databases 1...39 and 64...127")
        return redisURL.trimmingSuffix("/") + "/\(database)"
    }

    /// A MongoDB URL naming a fresh database.
    func isolatedMongoURL(prefix: String) -> String {
        mongoURL.trimmingSuffix("/") + "/\(prefix)_\(UUID().uuidString.prefix(8).lowercased())"
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}

/// Polls `condition` until it holds or `timeout` passes; returns whether it held.
func eventually(timeout: Duration = .seconds(10), interval: Duration = .milliseconds(100), _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: interval)
    }
    return try await condition()
}
