import Foundation
import SluiceCore
import SluiceRedis
import Testing

/// DESIGN.md's delivery guarantee against a worker that dies mid-batch.
@Suite struct WorkerCrashTests {
    @Test func aWorkerKilledBetweenReadAndAckLosesNothingAndStoresNothingTwice() async throws {
        let mongo = try await PrivateMongo()
        let stack = try await TestStack(prefix: "crash", mongoURL: mongo.url)
        let worker = try #require(stack.worker)
        #expect(try await eventually(timeout: .seconds(30)) { worker.log.contains("indexes ensured") }, "worker log:\n\(worker.log)")
        let redis = try RedisConnection(endpoint: RedisEndpoint(url: stack.redisURL))
        func pending() throws -> Int64 {
            try TestStack.streamKeys.reduce(0) { total, stream in
                total + (try PendingSummary.decode(redis.send(PendingSummary.command(stream: stream))).count)
            }
        }

        // Round 1, deterministic: MongoDB frozen, so the worker reads a batch and
        // cannot have written or acknowledged it when it is killed.
        mongo.pause()
        var expected: Set<String> = []
        expected.formUnion(try await postEvents(to: stack, prefix: "frozen", count: 200))
        #expect(try await eventually { try pending() > 0 }, "the worker never read the batch; log:\n\(worker.log)")
        _ = try await worker.stop(signal: SIGKILL)
        #expect(try pending() > 0, "entries were acknowledged although MongoDB was frozen")
        mongo.resume()

        // Rounds 2-4: kills at arbitrary points while the worker drains a steady stream.
        for round in 0..<3 {
            try stack.startWorkerProcess(batchSize: 50)
            expected.formUnion(try await postEvents(to: stack, prefix: "round\(round)", count: 150))
            try await Task.sleep(for: .milliseconds(Int.random(in: 300...1500)))
            _ = try await stack.worker?.stop(signal: SIGKILL)
        }

        try stack.startWorkerProcess()
        let stored = try StoredDocuments(url: stack.mongoURL)
        let drained = try await eventually(timeout: .seconds(60)) { try stored.count(EventKind.event.collection) >= expected.count && pending() == 0 }
        let (storedCount, pendingCount) = (try stored.count(EventKind.event.collection), try pending())
        #expect(drained, "not drained: \(storedCount) of \(expected.count) stored, \(pendingCount) pending; log:\n\(stack.worker?.log ?? "")")
        let ids = try stored.find(EventKind.event.collection).compactMap { $0["eventId"]?.stringValue }
        #expect(ids.count == expected.count, "stored \(ids.count) documents for \(expected.count) accepted events")
        #expect(Set(ids) == expected, "missing: \(expected.subtracting(ids).sorted().prefix(10))")
        try await stack.stop()
        await mongo.stop()
    }

    /// While MongoDB does not answer, no worker reads or takes over anything (each says
    /// so), so an outage adds no delivery to any entry and dead-letters nothing, though
    /// three workers that claimed in turn would pass SLUICE_MAX_DELIVERIES=2. The backlog
    /// waits, then is stored once. (Without the readiness gate these workers happen to
    /// hang in maintenance's MongoDB calls on a frozen store; on one that refuses
    /// connections those calls fail after the selection timeout and the claims resume.)
    @Test func aStoreOutageDeadLettersNothingThoughIdleWorkersCouldClaim() async throws {
        let mongo = try await PrivateMongo()
        let stack = try await TestStack(prefix: "outage", mongoURL: mongo.url, workerSettings: ["SLUICE_MAX_DELIVERIES": "2", "SLUICE_CLAIM_IDLE": "1"])
        let worker = try #require(stack.worker)
        try stack.startExtraWorker(name: "outage-b")
        try stack.startExtraWorker(name: "outage-c")
        #expect(try await eventually(timeout: .seconds(30)) { worker.log.contains("indexes ensured") }, "worker log:\n\(worker.log)")
        let redis = try RedisConnection(endpoint: RedisEndpoint(url: stack.redisURL))
        func deadLetters() throws -> Int64 { try redis.run(RedisCommand("XLEN", StreamLayout.deadLetterStream)).integer ?? -1 }

        mongo.pause()
        // Past the readiness probe's limit (a ping unanswered for 3 s): every worker has found MongoDB silent.
        try await Task.sleep(for: .seconds(6))
        let expected = Set(try await postEvents(to: stack, prefix: "outage", count: 100))
        // Several claim rounds (every 5 s, entries idle for 1 s) while the store is silent.
        try await Task.sleep(for: .seconds(12))
        #expect(try deadLetters() == 0, "entries were dead-lettered during the outage; log:\n\(worker.log)")
        #expect(worker.log.contains("reading and claiming nothing"), "worker log:\n\(worker.log)")

        mongo.resume()
        let stored = try StoredDocuments(url: stack.mongoURL)
        let drained = try await eventually(timeout: .seconds(60)) { try stored.count(EventKind.event.collection) >= expected.count }
        #expect(drained, "not drained after the outage; log:\n\(worker.log)")
        let ids = try stored.find(EventKind.event.collection).compactMap { $0["eventId"]?.stringValue }
        #expect(ids.count == expected.count && Set(ids) == expected)
        #expect(try deadLetters() == 0)
        try await stack.stop()
        await mongo.stop()
    }

    /// Posts `count` events in batches of 50 and returns the ids answered 202.
    private func postEvents(to stack: TestStack, prefix: String, count: Int) async throws -> [String] {
        var accepted: [String] = []
        for start in stride(from: 0, to: count, by: 50) {
            let ids = (start..<min(start + 50, count)).map { "\(prefix)-\($0)" }
            let events = ids.map { #"{"type":"event","id":"\#($0)","visitorId":"v-\#($0)","eventType":"crash","eventName":"test"}"# }
            let reply = try await HTTP.post("\(stack.baseURL)/api/analytics/batch", json: #"{"batch":[\#(events.joined(separator: ","))]}"#)
            try #require(reply.status == 202, "\(reply.text)")
            accepted += ids
        }
        return accepted
    }
}
