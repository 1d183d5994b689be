import Foundation
import HTTPTypes
import HummingbirdTesting
import SluiceCore
import SluiceRedis
import Testing

/// The two ways ingest holds senders back: a visitor's token bucket (429, nothing of
/// the refused request appended) and a backlog over its limit (503 with a Retry-After
/// from the workers' drain rate), both in-process against real Redis.
@Suite struct LimitRouteTests {
    private static func batch(_ count: Int, prefix: String) -> String {
        #"{"batch":[\#((0..<count).map { #"{"type":"event","id":"\#(prefix)-\#($0)","eventType":"t","eventName":"n"}"# }.joined(separator: ","))]}"#
    }

    @Test func aVisitorPastItsBucketGets429AndNothingOfTheRequestIsAppended() async throws {
        // A slow refill (0.1 event/s), so the bucket stays empty however slow the machine.
        let bed = try IngestTestBed.fresh(["SLUICE_RATE_LIMIT_VISITOR": "0.1/5"])
        let limited: HTTPFields = [.cookie: "sluice_visitor=v-limited"]
        let (first, refused, other) = try await bed.test { client in
            (
                try await client.post("batch", Self.batch(5, prefix: "fits"), headers: limited),
                try await client.post("batch", Self.batch(1, prefix: "over"), headers: limited),
                try await client.post("batch", Self.batch(1, prefix: "other"), headers: [.cookie: "sluice_visitor=v-other"])
            )
        }
        #expect(first.status == .accepted, "within the burst of 5: \(String(buffer: first.body))")
        #expect(refused.status == .tooManyRequests && refused.json?["error"]?.stringValue == "rate_limited")
        #expect(refused.problems.map(\.field) == ["(client)"])
        let retryAfter = try #require(refused.headers[.retryAfter].flatMap(Int.init), "no Retry-After")
        #expect((1...10).contains(retryAfter), "one event at 0.1/s is 10 s away at most, not \(retryAfter)")
        #expect(other.status == .accepted, "another visitor has a bucket of its own")

        let ids = try bed.entries().compactMap { $0.string("id") }
        #expect(ids.sorted() == ["fits-0", "fits-1", "fits-2", "fits-3", "fits-4", "other-0"], "\(ids)")
        let bucket = try bed.redis().run(RedisCommand("HGETALL", StreamLayout.rateLimitKey("visitor", "v-limited"))).fieldMap
        #expect(bucket["t"] != nil && bucket["ts"] != nil, "the visitor's bucket is not where the contract says: \(bucket)")
    }

    @Test func aBacklogOverItsLimitIsRefusedWith503UntilTheWorkersCatchUp() async throws {
        let bed = try IngestTestBed.fresh(["SLUICE_BACKLOG_LIMIT": "20"])
        let drainKey = StreamLayout.drainKey
        let acceptedLate = try await bed.test { client in
            var acceptedLate = 0
            func late() async throws -> TestResponse {
                let reply = try await client.post("track/event", #"{"eventType":"t","eventName":"late"}"#, headers: [.cookie: "sluice_visitor=late"])
                if reply.status == .accepted { acceptedLate += 1 }
                return reply
            }
            #expect(try await client.post("batch", Self.batch(25, prefix: "b"), headers: [.cookie: "sluice_visitor=busy"]).status == .accepted)
            // The monitor reads the backlog once a second: 25 waiting with no group yet is over 20
            // (events answered 202 before it noticed add to the backlog).
            var refused = try await late()
            for _ in 0..<50 where refused.status != .serviceUnavailable {
                try await Task.sleep(for: .milliseconds(100))
                refused = try await late()
            }
            #expect(refused.status == .serviceUnavailable && refused.json?["error"]?.stringValue == "unavailable", "\(String(buffer: refused.body))")
            #expect(refused.headers[.retryAfter] == "60", "nothing drains: the longest wait")

            // A live worker draining 5/s (a stale one's 100/s no longer counts): the excess
            // over 90% of the limit takes excess / 5 s (with the stale rate it would be 1 s).
            let waiting = try bed.entries().count
            let expected = String((waiting - 18 + 4) / 5)
            try #require(waiting - 18 > 5, "\(waiting) waiting")
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            _ = try bed.redis().run(
                RedisCommand(
                    "HSET", drainKey, "stopped", DrainRateEntry(perSecond: 100, at: now - 60_000).value, "live", DrainRateEntry(perSecond: 5, at: now).value))
            for _ in 0..<50 where refused.headers[.retryAfter] != expected {
                try await Task.sleep(for: .milliseconds(100))
                refused = try await late()
            }
            #expect(
                refused.status == .serviceUnavailable && refused.headers[.retryAfter] == expected,
                "Retry-After \(refused.headers[.retryAfter] ?? "missing"), expected \(expected) for \(waiting) waiting")

            // The workers read and acknowledge everything: accepted again.
            try Self.drain(bed)
            var accepted = try await late()
            for _ in 0..<50 where accepted.status != .accepted {
                try await Task.sleep(for: .milliseconds(100))
                accepted = try await late()
            }
            #expect(accepted.status == .accepted, "never accepted again: \(String(buffer: accepted.body))")
            return acceptedLate
        }
        #expect(try bed.entries().filter { $0.string("eventName") == "late" }.count == acceptedLate, "a refused event was queued")
    }

    /// Reads and acknowledges every entry as the workers' group, as a worker does.
    private static func drain(_ bed: IngestTestBed) throws {
        let redis = try bed.redis()
        for stream in StreamLayout.streamKeys(partitions: IngestTestBed.partitions) {
            _ = try redis.run(RedisCommand("XGROUP", "CREATE", stream, StreamLayout.group, "0", "MKSTREAM"))
            let read = try redis.run(RedisCommand("XREADGROUP", "GROUP", StreamLayout.group, "test", "COUNT", "1000", "STREAMS", stream, ">"))
            let ids = try StreamEntryReply.streams(in: read).flatMap(\.entries).map(\.id.description)
            if !ids.isEmpty { _ = try redis.run(RedisCommand(arguments: ["XACK", stream, StreamLayout.group] + ids)) }
        }
    }
}
