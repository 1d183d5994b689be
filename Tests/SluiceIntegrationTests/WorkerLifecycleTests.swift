import Foundation
import SluiceTestSupport
import Testing

/// The worker process ends when its service group does: on SIGTERM after a last batch and
/// flush (status 0), and at once with a non-zero status when its metrics port is taken,
/// rather than consuming on without metrics.
@Suite struct WorkerLifecycleTests {
    @Test func aTakenMetricsPortEndsTheWorker() async throws {
        let environment = try TestEnvironment.require()
        let holder = try SilentServer()
        defer { holder.stop() }
        try #require(holder.port > 0)
        let database = try FreshMongoDatabase.Named(prefix: "portgone")
        defer { withExtendedLifetime(database) {} }  // dropped at the end of the test, not after its last use
        let worker = try SluiceProcess(
            binary: "sluice-worker", environment: environment,
            settings: [
                "SLUICE_REDIS_URL": try environment.isolatedRedisURL(), "SLUICE_MONGO_URL": database.url,
                "SLUICE_WORKER_PORT": String(holder.port), "SLUICE_BLOCK_MS": "200",
            ])
        let exited = try await eventually(timeout: .seconds(5), interval: .milliseconds(20)) { !worker.isRunning }
        #expect(exited, "the worker still runs 5 s after failing to listen on \(holder.port); log:\n\(worker.log)")
        let status = try await worker.stop(timeout: .seconds(1))
        #expect(status != 0, "log:\n\(worker.log)")
        #expect(worker.log.contains("the port \(holder.port) is already in use"), "log:\n\(worker.log)")
        #expect(worker.log.contains("SLUICE_WORKER_PORT"), "log:\n\(worker.log)")
        #expect(worker.log.contains("consumer stopped"), "the consumer thread must stop with the group; log:\n\(worker.log)")
    }

    @Test func sigtermStopsTheWorkerAfterItsLastBatch() async throws {
        let stack = try await TestStack(prefix: "sigterm")
        let worker = try #require(stack.worker)
        #expect(try await HTTP.post("\(stack.baseURL)/api/analytics/track/event", json: #"{"eventType":"test","eventName":"before-sigterm"}"#).status == 202)
        #expect(try await eventually(timeout: .seconds(20)) { try stack.workersAreIdle() }, "the event was not consumed; log:\n\(worker.log)")

        let started = ContinuousClock.now
        let status = try await worker.stop(signal: SIGTERM, timeout: .seconds(10))
        #expect(status == 0, "log:\n\(worker.log)")
        #expect(ContinuousClock.now - started < .seconds(10))
        #expect(worker.log.contains("shutting down"), "log:\n\(worker.log)")
        #expect(worker.log.contains("consumer stopped") && worker.log.contains("flusher stopped"), "log:\n\(worker.log)")
        #expect(!worker.log.contains("sluice-worker exits"), "log:\n\(worker.log)")
        try await stack.stop()
    }
}
