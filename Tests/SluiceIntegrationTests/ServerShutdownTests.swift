import Foundation
import SluiceCore
import Testing

/// Ingest and the dashboard stop on SIGTERM with status 0 and within seconds, though a
/// client still holds a connection open (the worker's own stop is in WorkerLifecycleTests).
@Suite struct ServerShutdownTests {
    @Test func sigtermStopsIngestWithAKeptAliveConnectionOpen() async throws {
        let stack = try await TestStack(prefix: "ingeststop", startWorker: false)
        #expect(try await HTTP.post("\(stack.baseURL)/api/analytics/track/event", json: #"{"eventType":"test","eventName":"before-stop"}"#).status == 202)
        // An idle keep-alive connection, as a browser or a proxy leaves one.
        let idle = try RawConnection(port: stack.ingestPort)
        idle.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        #expect(try await eventually(timeout: .seconds(5)) { idle.receivedCount(of: "HTTP/1.1 200") == 1 }, "received: \(idle.received)")

        // Status 0 is the graceful path (a default SIGTERM death is 143), and it does not wait
        // for the idle connection's client to go (the idle timeout is 30 s). The bound leaves
        // room for this test's own polling to be held up while other suites hold the
        // cooperative threads (CI has seen 6 s).
        let started = ContinuousClock.now
        let status = try await stack.ingest.stop(signal: SIGTERM, timeout: .seconds(15))
        #expect(status == 0, "log:\n\(stack.ingest.log)")
        #expect(ContinuousClock.now - started < .seconds(12), "log:\n\(stack.ingest.log)")
    }

    @Test func sigtermEndsTheDashboardsLiveStreamAndTheDashboard() async throws {
        let stack = try await TestStack(prefix: "dashstop", startWorker: false)
        let dashboard = try SluiceProcess(
            binary: "sluice-dashboard", environment: stack.environment,
            settings: [
                "SLUICE_REDIS_URL": stack.redisURL, "SLUICE_MONGO_URL": stack.mongoURL, "SLUICE_PARTITIONS": String(TestStack.partitions),
                "SLUICE_DASHBOARD_PORT": "0",
            ])
        let port = try #require(try await dashboard.listeningPort(), "sluice-dashboard did not start listening; log:\n\(dashboard.log)")
        // A browser's real-time page holds this stream open for up to 30 minutes.
        let stream = try RawConnection(port: port)
        stream.send("GET /api/dashboard/realtime/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
        #expect(try await eventually(timeout: .seconds(10)) { stream.receivedCount(of: "retry: ") == 1 }, "received: \(stream.received)")

        let started = ContinuousClock.now
        let status = try await dashboard.stop(signal: SIGTERM, timeout: .seconds(25))
        #expect(status == 0, "log:\n\(dashboard.log)")
        // The stream checks for shutdown every read interval (5 s); waiting for its client
        // would take 30 minutes. The bound leaves room for this test's polling to be held up
        // while other suites hold the cooperative threads (CI has seen 6 s).
        #expect(ContinuousClock.now - started < .seconds(18), "log:\n\(dashboard.log)")
        // Ended by the server, not cut by the process's exit: the chunked body's last chunk came.
        stream.receive()
        #expect(stream.received.hasSuffix("\r\n0\r\n\r\n"), "the stream was cut, not finished: \(stream.received.suffix(200))")
        try await stack.stop()
    }
}
