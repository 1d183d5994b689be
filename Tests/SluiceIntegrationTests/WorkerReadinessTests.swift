import Foundation
import Testing

/// The worker's `/readyz`: 503 while MongoDB does not answer, 200 again once it does;
/// `/healthz` stays 200 throughout (the process is alive, just not useful).
@Suite struct WorkerReadinessTests {
    @Test func readinessFollowsMongoDB() async throws {
        let mongo = try await PrivateMongo()
        let stack = try await TestStack(prefix: "ready", mongoURL: mongo.url)
        let worker = try #require(stack.worker)
        var port: Substring = ""
        #expect(
            try await eventually(timeout: .seconds(20)) {
                port = worker.log.range(of: "metrics on http://127.0.0.1:").map { worker.log[$0.upperBound...].prefix { $0.isNumber } } ?? ""
                return !port.isEmpty
            }, "worker log:\n\(worker.log)")
        let base = "http://127.0.0.1:\(port)"
        func ready() async throws -> HTTPReply { try await HTTP.get("\(base)/readyz") }

        #expect(try await eventually(timeout: .seconds(20)) { try await ready().status == 200 }, "never ready; log:\n\(worker.log)")
        #expect(try await ready().text == #"{"status":"ready"}"#)

        // Frozen: connections stay open and nothing answers.
        mongo.pause()
        #expect(try await eventually(timeout: .seconds(10)) { try await ready().status == 503 }, "still ready with MongoDB frozen")
        let frozen = try await ready()
        #expect(frozen.text.contains(#""status":"unavailable""#) && frozen.text.contains("MongoDB"), "\(frozen.text)")
        #expect(try await HTTP.get("\(base)/healthz").status == 200, "liveness must not follow MongoDB")
        #expect(try await HTTP.get("\(base)/metrics").text.contains("sluice_worker_store_ready 0"))

        mongo.resume()
        #expect(try await eventually(timeout: .seconds(20)) { try await ready().status == 200 }, "not ready again after MongoDB thawed")
        #expect(try await eventually { try await HTTP.get("\(base)/metrics").text.contains("sluice_worker_store_ready 1") })

        // Gone: connections refused.
        await mongo.stop()
        #expect(try await eventually(timeout: .seconds(10)) { try await ready().status == 503 }, "still ready with MongoDB stopped")
        #expect(try await HTTP.get("\(base)/healthz").status == 200)
        try await stack.stop()
    }

    /// Stopped while MongoDB is gone, the worker still exits promptly: closing a store whose
    /// server is unreachable must not wait on server selection (libmongoc's default 30 s,
    /// kept here) to end its sessions, once per store.
    @Test func aWorkerStoppedWhileMongoDBIsGoneExitsPromptly() async throws {
        let mongo = try await PrivateMongo()
        let url = mongo.url.replacingOccurrences(of: "?serverSelectionTimeoutMS=2000", with: "")
        let stack = try await TestStack(prefix: "gone", mongoURL: url)
        let worker = try #require(stack.worker)
        #expect(try await HTTP.post("\(stack.baseURL)/api/analytics/track/event", json: #"{"eventType":"test","eventName":"before-the-outage"}"#).status == 202)
        #expect(try await eventually(timeout: .seconds(20)) { try stack.workersAreIdle() }, "the event was not consumed; log:\n\(worker.log)")
        await mongo.stop()
        // Long enough for the worker's pings and last writes to find the server gone (its
        // pings fail in the first second; server selection would wait 30 s).
        try await Task.sleep(for: .seconds(5))
        let started = ContinuousClock.now
        #expect(try await worker.stop(signal: SIGTERM, timeout: .seconds(25)) == 0, "log:\n\(worker.log)")
        #expect(ContinuousClock.now - started < .seconds(25))
        try await stack.stop()
    }
}
