import Foundation
import SluiceCore
import SluiceRedis
import Testing

@testable import SluiceIngest

/// The address bucket holds whatever cookies a client rotates, its Redis key
/// never holds the address, and it leaves room for honest senders without a cookie.
@Suite struct RateLimitTests {
    private func batch(_ count: Int) -> String {
        #"{"batch":[\#(Array(repeating: #"{"type":"event","eventType":"t","eventName":"n"}"#, count: count).joined(separator: ","))]}"#
    }

    /// Every rate-limit key in the stack's Redis, with its fields and values.
    private func bucketKeysAndValues(_ stack: TestStack) throws -> [String] {
        let redis = try RedisConnection(endpoint: RedisEndpoint(url: stack.redisURL))
        let keys = try (redis.run(RedisCommand("KEYS", StreamLayout.rateLimitKey("*", "*"))).elements ?? []).compactMap(\.text)
        return try keys + keys.flatMap { key in try (redis.run(RedisCommand("HGETALL", key)).elements ?? []).compactMap(\.text) }
    }

    @Test func oneAddressRotatingCookiesMeets429AndItsKeyIsAHash() async throws {
        // A slow refill (0.1 event/s), so the bucket stays empty however slow the machine;
        // the socket peer is a trusted proxy, so each X-Forwarded-For is a client address.
        let stack = try await TestStack(
            prefix: "ratelimit-address", startWorker: false,
            // One event back every 100 s: a test process stalled for seconds (both cores busy) still meets the empty bucket.
            ingestSettings: ["SLUICE_RATE_LIMIT_ADDRESS": "0.01/20", "SLUICE_RATE_LIMIT_VISITOR": "1/1000", "SLUICE_TRUSTED_PROXIES": "127.0.0.1"])
        let url = "\(stack.baseURL)/api/analytics/batch"
        let attacker = "198.51.100.23"
        for round in 0..<4 {
            let reply = try await HTTP.post(url, json: batch(5), headers: ["Cookie": "sluice_visitor=fresh-\(round)", "X-Forwarded-For": attacker])
            #expect(reply.status == 202, "round \(round) within the address's burst of 20: \(reply.text)")
        }
        let refused = try await HTTP.post(url, json: batch(5), headers: ["Cookie": "sluice_visitor=fresh-4", "X-Forwarded-For": attacker])
        #expect(refused.status == 429, "a fresh cookie from the same address: \(refused.text)")
        #expect(Int(refused.headers["retry-after"] ?? "").map { $0 >= 1 } == true)
        // No cookie at all is the same address too.
        #expect(try await HTTP.post(url, json: batch(1), headers: ["X-Forwarded-For": attacker]).status == 429)
        // IPv6 counts by its /64: another address in the same block shares the bucket.
        #expect(try await HTTP.post(url, json: batch(20), headers: ["X-Forwarded-For": "2001:db8:1:2::1"]).status == 202)
        #expect(try await HTTP.post(url, json: batch(1), headers: ["X-Forwarded-For": "2001:db8:1:2:ffff::9"]).status == 429)
        // Another address has its own bucket.
        #expect(try await HTTP.post(url, json: batch(5), headers: ["X-Forwarded-For": "198.51.100.24"]).status == 202)

        let stored = try bucketKeysAndValues(stack)
        #expect(stored.contains { $0.hasPrefix(StreamLayout.rateLimitKey("address", "")) }, "no address bucket in \(stored)")
        #expect(stored.contains(StreamLayout.rateLimitKey("visitor", "fresh-0")), "the visitor bucket is keyed by its cookie: \(stored)")
        for address in [attacker, "198.51.100.24", "2001:db8", "127.0.0.1"] {
            #expect(!stored.contains { $0.contains(address) }, "\(address) stored in Redis: \(stored)")
        }
        // Never a visitor bucket keyed by the address alone.
        #expect(
            stored.filter { $0.hasPrefix(StreamLayout.rateLimitKey("visitor", "")) }.allSatisfy {
                $0.hasPrefix(StreamLayout.rateLimitKey("visitor", "fresh-"))
            }, "\(stored)")
        try await stack.stop()
    }

    @Test func theAddressKeyComesFromConfigurationAndNeverReachesRedis() async throws {
        let key = "00112233445566778899aabbccddeeff"
        let stack = try await TestStack(
            prefix: "ratelimit-key", startWorker: false, ingestSettings: ["SLUICE_ADDRESS_KEY": key, "SLUICE_TRUSTED_PROXIES": "127.0.0.1"])
        #expect(try await HTTP.post("\(stack.baseURL)/api/analytics/batch", json: batch(1), headers: ["X-Forwarded-For": "192.0.2.7"]).status == 202)
        // SipHash-2-4 of [4, 192, 0, 2, 7] under the key's two halves, as RateLimiter.addressKey computes it.
        let expected = SipHash.hash([4, 192, 0, 2, 7], k0: 0x0011_2233_4455_6677, k1: 0x8899_aabb_ccdd_eeff)
        let hex = String(expected, radix: 16)
        let stored = try bucketKeysAndValues(stack)
        #expect(stored.contains(StreamLayout.rateLimitKey("address", "") + String(repeating: "0", count: 16 - hex.count) + hex), "\(stored)")
        let redis = try RedisConnection(endpoint: RedisEndpoint(url: stack.redisURL))
        let everyKey = try (redis.run(RedisCommand("KEYS", "*")).elements ?? []).compactMap(\.text)
        let values = try everyKey.compactMap { try redis.run(RedisCommand("TYPE", $0)).text == "string" ? redis.run(RedisCommand("GET", $0)).text : nil }
        #expect(!(everyKey + values).contains { $0.contains("192.0.2.7") || $0.lowercased().contains(key) }, "\(everyKey) \(values)")
        #expect(stack.ingest.log.contains("SLUICE_ADDRESS_KEY") && !stack.ingest.log.contains(key), "the summary names the setting, never the key")
        try await stack.stop()
        let refused = try SluiceProcess(binary: "sluice-ingest", environment: stack.environment, settings: ["SLUICE_ADDRESS_KEY": "not-hex"])
        #expect(try await eventually { !refused.isRunning }, "a malformed key must stop start-up")
        #expect(refused.log.contains("SLUICE_ADDRESS_KEY") && refused.log.contains("32 hex digits"), "\(refused.log)")
    }

    @Test func anHonestSenderWithoutACookieIsNotHeldToTheVisitorLimit() async throws {
        // The defaults: visitor 100/s with a burst of 1,000 inside an address bucket of 1,000/s with a burst of 10,000.
        let stack = try await TestStack(prefix: "ratelimit-honest", startWorker: false)
        let url = "\(stack.baseURL)/api/analytics/batch"
        // 3,000 events in a few seconds from one address with no cookie: three visitor bursts, well inside the address's.
        for round in 0..<6 {
            let reply = try await HTTP.post(url, json: batch(500))
            #expect(reply.status == 202, "round \(round): \(reply.text)")
        }
        #expect(try stack.queuedEntries() == 3000)
        // The same sender with one cookie is one visitor: its own bucket empties at 1,000.
        let visitor = ["Cookie": "sluice_visitor=one-browser"]
        #expect(try await HTTP.post(url, json: batch(500), headers: visitor).status == 202)
        #expect(try await HTTP.post(url, json: batch(500), headers: visitor).status == 202)
        #expect(try await HTTP.post(url, json: batch(500), headers: visitor).status == 429)
        try await stack.stop()
    }
}
