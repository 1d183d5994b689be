import Foundation
import SluiceCore
import SluiceIngest
import SluiceRedis
import SluiceTestSupport
import Testing

/// Behind trusted proxies ingest believes one configured header, never both:
/// `X-Forwarded-For` by default, `Forwarded` when chosen.
@Suite struct TrustedProxyTests {
    /// Both headers, naming different clients, and a proto only `Forwarded` states.
    private static let bothHeaders = ["X-Forwarded-For": "198.51.100.23", "Forwarded": "for=203.0.113.50;proto=https"]

    /// The stored `ip` of the one event with `id`, read from the streams.
    private func storedIP(_ stack: TestStack, id: String) throws -> String? {
        let redis = try RedisConnection(endpoint: RedisEndpoint(url: stack.redisURL))
        for stream in TestStack.streamKeys {
            for entry in try redis.streamEntries(stream) {
                guard let bytes = entry.value(StreamLayout.eventField), let event = try JSONParser.parse(bytes).objectValue else { continue }
                if event["id"] == .string(id) { return event["ip"]?.stringValue }
            }
        }
        return nil
    }

    private func post(_ stack: TestStack, id: String, headers: [String: String]) async throws -> HTTPReply {
        try await HTTP.post("\(stack.baseURL)/api/analytics/track/event", json: #"{"id":"\#(id)","eventType":"t","eventName":"n"}"#, headers: headers)
    }

    @Test func oneConfiguredHeaderIsBelievedAndTheOtherIgnored() async throws {
        let byDefault = try await TestStack(prefix: "proxy-xff", startWorker: false, ingestSettings: ["SLUICE_TRUSTED_PROXIES": "127.0.0.1"])
        // A client's own Forwarded passed through by a proxy that appends X-Forwarded-For picks nothing.
        let passedThrough = try await post(byDefault, id: "xff-1", headers: Self.bothHeaders)
        #expect(passedThrough.status == 202)
        #expect(try storedIP(byDefault, id: "xff-1") == "198.51.100.0")
        #expect(passedThrough.headers["set-cookie"]?.contains("Secure") == false, "proto=https in an ignored Forwarded counted")
        // The right-most entry that is not a trusted proxy is the client (entries before it are the client's word).
        _ = try await post(byDefault, id: "xff-2", headers: ["X-Forwarded-For": "198.51.100.23, 192.0.2.77"])
        #expect(try storedIP(byDefault, id: "xff-2") == "192.0.2.0")
        let redisURL = byDefault.redisURL
        try await byDefault.stop()
        _ = try RedisConnection(endpoint: RedisEndpoint(url: redisURL)).run(RedisCommand("FLUSHDB"))

        let forwarded = try await TestStack(
            prefix: "proxy-forwarded", startWorker: false, redisURL: redisURL,
            ingestSettings: ["SLUICE_TRUSTED_PROXIES": "127.0.0.1", "SLUICE_PROXY_HEADER": "forwarded"])
        let chosen = try await post(forwarded, id: "fwd-1", headers: Self.bothHeaders.merging(["X-Forwarded-Proto": "http"]) { $1 })
        #expect(chosen.status == 202)
        #expect(try storedIP(forwarded, id: "fwd-1") == "203.0.113.0")
        #expect(chosen.headers["set-cookie"]?.contains("Secure") == true, "Forwarded's proto=https is the one believed")
        // X-Forwarded-For alone is ignored: the socket peer is the client.
        _ = try await post(forwarded, id: "fwd-2", headers: ["X-Forwarded-For": "198.51.100.23"])
        #expect(try storedIP(forwarded, id: "fwd-2") == "127.0.0.0")
        try await forwarded.stop()
    }

    @Test func theSettingsAreCheckedAtStartUp() throws {
        let defaults = try IngestConfiguration(settings: Settings(environment: [:]))
        #expect(defaults.privacy.proxyHeader == .xForwardedFor)
        #expect(defaults.addressRateLimit?.rate == 1000 && defaults.addressRateLimit?.burst == 10_000)
        #expect(defaults.summary.contains { $0 == ("SLUICE_PROXY_HEADER", "x-forwarded-for") })
        #expect(try IngestConfiguration(settings: Settings(environment: ["SLUICE_PROXY_HEADER": "Forwarded"])).privacy.proxyHeader == .forwarded)
        #expect(try IngestConfiguration(settings: Settings(environment: ["SLUICE_RATE_LIMIT_ADDRESS": "off"])).addressRateLimit == nil)
        #expect {
            try IngestConfiguration(settings: Settings(environment: ["SLUICE_PROXY_HEADER": "both"]))
        } throws: { error in
            "\(error)".contains("SLUICE_PROXY_HEADER") && "\(error)".contains("x-forwarded-for, forwarded")
        }
        #expect(throws: ConfigurationError.self) { try IngestConfiguration(settings: Settings(environment: ["SLUICE_RATE_LIMIT_ADDRESS": "1000"])) }
    }
}
