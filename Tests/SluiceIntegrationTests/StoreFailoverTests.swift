import Foundation
import SluiceCore
import SluiceRedis
import SluiceTestSupport
import Testing

/// What a MongoDB primary stepping down does to a worker's batch, played through a
/// fault-injecting proxy in front of the store (no replica set runs here): the write is
/// applied but its answer never comes back, then the connections are cut. The batch
/// must stay unacknowledged until a retry's answer arrives, then be stored exactly once.
@Suite struct StoreFailoverTests {
    @Test func aBatchWhoseAnswerIsLostIsRetriedStoredOnceAndAcknowledgedOnlyAfterTheWrite() async throws {
        let environment = try TestEnvironment.require()
        let storePort = try #require(URLComponents(string: environment.mongoURL)?.port, "no port in \(environment.mongoURL)")
        let proxy = try FaultProxy(targetPort: storePort)
        defer { proxy.stop() }
        let database = try FreshMongoDatabase.Named(prefix: "failover")
        defer { withExtendedLifetime(database) {} }  // dropped at the end of the test, not after its last use
        let stored = try StoredDocuments(url: database.url)
        // Short socket and selection timeouts: a lost answer shows up as an error within seconds.
        let proxied = "mongodb://127.0.0.1:\(proxy.port)/\(database.name)?serverSelectionTimeoutMS=2000&socketTimeoutMS=1500&connectTimeoutMS=1000"
        let stack = try await TestStack(prefix: "failover", mongoURL: proxied, workerSettings: ["SLUICE_MONGO_WRITE_CONCERN": "majority"])
        let worker = try #require(stack.worker)
        #expect(try await eventually(timeout: .seconds(30)) { worker.log.contains("indexes ensured") }, "worker log:\n\(worker.log)")
        #expect(worker.log.contains("retryWrites on") && worker.log.contains("w=majority"), "the start-up line shows the write settings:\n\(worker.log)")
        let redis = try RedisConnection(endpoint: RedisEndpoint(url: stack.redisURL))
        func pending() throws -> Int64 {
            try TestStack.streamKeys.reduce(0) { total, stream in
                total + (try PendingSummary.decode(redis.send(PendingSummary.command(stream: stream))).count)
            }
        }

        proxy.set(.swallowReplies)
        let ids = (0..<40).map { "failover-\($0)" }
        // One visitor, so one partition and one batch: the whole batch is in flight when the answer is lost.
        let events = ids.map { #"{"type":"event","id":"\#($0)","visitorId":"v-failover","eventType":"failover","eventName":"test"}"# }
        let reply = try await HTTP.post("\(stack.baseURL)/api/analytics/batch", json: #"{"batch":[\#(events.joined(separator: ","))]}"#)
        try #require(reply.status == 202, "\(reply.text)")

        // The store has the batch (read directly, not through the proxy)...
        let written = try await eventually(timeout: .seconds(30)) { try stored.count(EventKind.event.collection) == ids.count }
        #expect(written, "the worker's write never reached the store; log:\n\(worker.log)")
        // ...but the worker never heard so: nothing is acknowledged, through its retries too.
        #expect(try pending() == Int64(ids.count))
        try await Task.sleep(for: .seconds(3))
        #expect(try pending() == Int64(ids.count), "entries acknowledged without an answer from the store")
        #expect(proxy.swallowedBytes.load(ordering: .relaxed) > 0)

        // The step-down ends: connections are cut mid-exchange, the next ones pass.
        proxy.set(.pass)
        proxy.cutAll()
        let drained = try await eventually(timeout: .seconds(60)) { try pending() == 0 }
        let stillPending = try pending()
        #expect(drained, "\(stillPending) entries still pending; log:\n\(worker.log)")
        let storedIds = try stored.find(EventKind.event.collection).compactMap { $0["eventId"]?.stringValue }
        #expect(storedIds.sorted() == ids.sorted(), "each accepted event stored exactly once: \(storedIds.count) documents")
        #expect(worker.isRunning, "the worker rode out the fault")
        try await stack.stop()
    }
}
