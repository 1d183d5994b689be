import Foundation
import SluiceCore
import SluiceRedis
import SluiceTestSupport
import Testing

/// Reclaim, dead letters, the delivery limit, trimming and backpressure against live processes.
@Suite struct DeliveryTests {
    private func redis(_ stack: TestStack) throws -> RedisConnection {
        try RedisConnection(endpoint: RedisEndpoint(url: stack.redisURL))
    }

    /// The letters in `events:dead`: the fields the worker added, and the failed entry's event text.
    private func deadLetters(_ redis: RedisConnection) throws -> [(added: DeadLetterEntry, event: String?)] {
        try redis.streamEntries(StreamLayout.deadLetterStream).map { entry in
            (DeadLetterEntry(fields: (entry.fields ?? []).map { ($0.name, $0.value) }), entry.text(StreamLayout.eventField))
        }
    }

    private func event(_ id: String) -> [UInt8] {
        Array(
            #"{"id":"\#(id)","type":"event","visitorId":"v-\#(id)","timestamp":1767323045678,"receivedAt":1767323045678,"eventType":"t","eventName":"n"}"#.utf8)
    }

    @Test func poisonAndOverDeliveredEntriesAreDeadLetteredWithTheirReason() async throws {
        let stack = try await TestStack(prefix: "poison", startWorker: false)
        let redis = try redis(stack)
        let stream = StreamLayout.streamKey(partition: 1)
        _ = try redis.run(RedisCommand("XGROUP", "CREATE", stream, StreamLayout.group, "0", "MKSTREAM"))
        var garbage = RedisCommand("XADD", stream, "*", "v", "1")
        garbage.append("e")
        garbage.append(bytes: Array("{not json".utf8))
        let poisonId = try redis.run(garbage).text
        _ = try redis.run(RedisCommand("XADD", stream, "*", "v", "9", "e", "{}"))
        // An entry some worker read 6 times without storing it (say it crashed each time).
        var tired = RedisCommand("XADD", stream, "*", "v", "1")
        tired.append("e")
        tired.append(bytes: event("tired"))
        let tiredId = try #require(try redis.run(tired).text)
        _ = try redis.run(RedisCommand("XREADGROUP", "GROUP", StreamLayout.group, stack.consumerName, "STREAMS", stream, ">"))
        for _ in 0..<5 { _ = try redis.run(RedisCommand("XCLAIM", stream, StreamLayout.group, stack.consumerName, "0", tiredId)) }
        // A healthy entry beside them is stored.
        var healthy = RedisCommand("XADD", stream, "*", "v", "1")
        healthy.append("e")
        healthy.append(bytes: event("healthy"))
        _ = try redis.run(healthy)

        try stack.startWorkerProcess()
        let stored = try StoredDocuments(url: stack.mongoURL)
        #expect(
            try await eventually { try deadLetters(redis).count == 3 && stored.count(EventKind.event.collection) == 1 },
            "worker log:\n\(stack.worker?.log ?? "")")
        let letters = try deadLetters(redis)
        let byEntry = Dictionary(uniqueKeysWithValues: letters.map { ($0.added.entryId ?? "", $0) })
        #expect(byEntry[poisonId ?? ""]?.added.reason?.contains("undecodable") == true)
        #expect(byEntry[poisonId ?? ""]?.event == "{not json")
        #expect(byEntry[tiredId]?.added.reason?.contains("delivered 7 times") == true, "\(String(describing: byEntry[tiredId]))")
        #expect(letters.allSatisfy { $0.added.stream == stream && $0.added.failedAt != nil && $0.added.deliveries != nil })
        #expect(letters.contains { $0.added.reason?.contains("unsupported schema version") == true })
        #expect(try stored.count(EventKind.event.collection, #"{"eventId":"tired"}"#) == 0)
        // Acknowledgements follow the dead-letter appends, so give them a moment.
        let acknowledged = try await eventually {
            try PendingSummary.decode(redis.send(PendingSummary.command(stream: stream))).count == 0
        }
        #expect(acknowledged, "dead letters must be acknowledged")
        try await stack.stop()
    }

    @Test func entriesOfADeadConsumerAreClaimedAndAcknowledgedEntriesTrimmed() async throws {
        let stack = try await TestStack(prefix: "claim", startWorker: false, workerSettings: ["SLUICE_CLAIM_IDLE": "1"])
        let redis = try redis(stack)
        let ids = (0..<300).map { "claim-\($0)" }
        for chunk in stride(from: 0, to: ids.count, by: 100) {
            let batch = ids[chunk..<chunk + 100].map { #"{"type":"event","id":"\#($0)","visitorId":"one-visitor","eventType":"t","eventName":"n"}"# }
            let reply = try await HTTP.post("\(stack.baseURL)/api/analytics/batch", json: #"{"batch":[\#(batch.joined(separator: ","))]}"#)
            try #require(reply.status == 202)
        }
        // A worker that read everything and died: all 300 entries pending on "ghost".
        let stream = StreamLayout.streamKey(partition: StreamLayout.partition(visitorId: "one-visitor", partitions: TestStack.partitions))
        _ = try redis.run(RedisCommand("XGROUP", "CREATE", stream, StreamLayout.group, "0", "MKSTREAM"))
        _ = try redis.run(RedisCommand("XREADGROUP", "GROUP", StreamLayout.group, "ghost", "COUNT", "1000", "STREAMS", stream, ">"))

        try stack.startWorkerProcess()
        let stored = try StoredDocuments(url: stack.mongoURL)
        #expect(try await eventually(timeout: .seconds(30)) { try stored.count(EventKind.event.collection) == 300 }, "worker log:\n\(stack.worker?.log ?? "")")
        // The next maintenance round trims what every group has acknowledged.
        #expect(try await eventually(timeout: .seconds(15)) { try redis.run(RedisCommand("XLEN", stream)).integer ?? 0 < 300 }, "stream not trimmed")
        let pending = try PendingSummary.decode(redis.send(PendingSummary.command(stream: stream))).count
        #expect(pending == 0)
        try await stack.stop()
    }

    /// With the rate limits on the events go through the limit-and-append script,
    /// with every one off as plain XADDs: either way a Redis that refuses writes
    /// means 503 with Retry-After, and only what was answered 202 is in the streams.
    @Test(arguments: ["100/1000", "off"])
    func aRedisRefusingWritesGets503AndNothingUnansweredIsQueued(limit: String) async throws {
        let server = try await PrivateRedisServer()
        defer { server.stop() }
        let stack = try await TestStack(
            prefix: "refused", startWorker: false, redisURL: server.url,
            ingestSettings: ["SLUICE_RATE_LIMIT_ADDRESS": limit, "SLUICE_RATE_LIMIT_VISITOR": limit, "SLUICE_RATE_LIMIT_SITE": "off"])
        let redis = try RedisConnection(endpoint: RedisEndpoint(url: server.url))
        #expect(try await post(stack).status == 202)

        _ = try redis.run(RedisCommand("CONFIG", "SET", "maxmemory", "1"))
        let refused = try await HTTP.post(
            "\(stack.baseURL)/api/analytics/batch",
            json: #"{"batch":[{"type":"event","eventType":"t","eventName":"a"},{"type":"event","eventType":"t","eventName":"b"}]}"#)
        #expect(refused.status == 503, "\(refused.text)")
        #expect(refused.json?.objectValue?["error"]?.stringValue == "unavailable")
        #expect(Int(refused.headers["retry-after"] ?? "").map { $0 >= 1 } == true)

        _ = try redis.run(RedisCommand("CONFIG", "SET", "maxmemory", "0"))
        #expect(try await post(stack).status == 202)
        #expect(try stack.queuedEntries() == 2)
        try await stack.stop()
    }

    private func post(_ stack: TestStack) async throws -> HTTPReply {
        try await HTTP.post("\(stack.baseURL)/api/analytics/track/event", json: #"{"eventType":"t","eventName":"late"}"#)
    }
}
