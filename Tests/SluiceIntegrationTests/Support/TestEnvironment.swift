import Foundation
import SluiceMongo
import SluiceRedis
import SluiceTestSupport
import Testing

/// The servers and binaries `make test` provides. Missing ones fail the test with
/// the fix, never skip it: an integration test that silently passes is worse than none.
struct TestEnvironment {
    let redisURL: String
    let mongoURL: String
    let binDirectory: String

    private static let databases = RedisDatabasePool("SluiceIntegrationTests", 1..<40, 64..<128)

    static func require() throws -> TestEnvironment {
        let environment = ProcessInfo.processInfo.environment
        let hint = "run the tests with `make test`, which starts private Redis and SecantusDB servers and sets it"
        let redis = try #require(environment["SLUICE_TEST_REDIS_URL"], "SLUICE_TEST_REDIS_URL is not set: \(hint)")
        let mongo = try #require(environment["SLUICE_TEST_MONGO_URL"], "SLUICE_TEST_MONGO_URL is not set: \(hint)")
        let bin = try #require(environment["SLUICE_BIN_DIR"], "SLUICE_BIN_DIR is not set: \(hint)")
        return TestEnvironment(redisURL: redis, mongoURL: mongo, binDirectory: bin)
    }

    /// A Redis URL on a database no other test in this run uses (SluiceControlTests,
    /// which share this test process, have 40...63).
    func isolatedRedisURL() throws -> String {
        try Self.databases.next()
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

/// Runs `body` on a thread of its own and answers its result: for loops whose timing is
/// what a test measures, which must not wait on a cooperative thread that another suite
/// in this process holds with a synchronous call.
func onOwnThread<Result>(_ body: @escaping () -> Result) async -> Result {
    nonisolated(unsafe) let work = body
    return await withCheckedContinuation { (done: CheckedContinuation<UncheckedResult<Result>, Never>) in
        Thread { done.resume(returning: UncheckedResult(value: work())) }.start()
    }.value
}

/// A result handed from `onOwnThread`'s thread back to its caller, which alone uses it.
struct UncheckedResult<Value>: @unchecked Sendable {
    let value: Value
}
