import Foundation
import SluiceCore
import SluiceRedis
import SluiceTestSupport
import Testing

/// Rate limits, Do Not Track, cookieless mode, trusted proxies and redaction, read
/// back from the stream entries ingest wrote (no worker needed).
@Suite struct PrivacyTests {
    static let event = #"{"eventType":"t","eventName":"n"}"#

    /// Every canonical event ingest appended, in no particular order.
    private func queued(_ stack: TestStack) throws -> [JSONObject] {
        let redis = try RedisConnection(endpoint: RedisEndpoint(url: stack.redisURL))
        return try TestStack.streamKeys.flatMap { stream in
            try redis.streamEntries(stream).compactMap { entry -> JSONObject? in
                guard let bytes = entry.value(StreamLayout.eventField) else { return nil }
                return try JSONParser.parse(bytes).objectValue
            }
        }
    }

    private func batch(_ count: Int) -> String {
        #"{"batch":[\#(Array(repeating: #"{"type":"event","eventType":"t","eventName":"n"}"#, count: count).joined(separator: ","))]}"#
    }

    @Test func aFloodingVisitorIsLimitedWithoutStarvingOthers() async throws {
        // A slow refill (50 s for the 5 tokens of the second batch), so it is refused however long a loaded machine takes between the two.
        let stack = try await TestStack(prefix: "ratelimit", startWorker: false, ingestSettings: ["SLUICE_RATE_LIMIT_VISITOR": "0.1/10"])
        let url = "\(stack.baseURL)/api/analytics/batch"
        let flood = ["Cookie": "sluice_visitor=flooder"]
        #expect(try await HTTP.post(url, json: batch(10), headers: flood).status == 202)
        let limited = try await HTTP.post(url, json: batch(5), headers: flood)
        #expect(limited.status == 429, "\(limited.text)")
        #expect(Int(limited.headers["retry-after"] ?? "").map { $0 >= 1 } == true)
        #expect(limited.json?.objectValue?["error"]?.stringValue == "rate_limited")
        // The check and the append are one script: the refused batch left nothing behind.
        #expect(try queued(stack).filter { $0["visitorId"] == .string("flooder") }.count == 10)
        // A Redis that forgot the script (restart, SCRIPT FLUSH) gets it loaded again.
        _ = try RedisConnection(endpoint: RedisEndpoint(url: stack.redisURL)).run(RedisCommand("SCRIPT", "FLUSH"))
        #expect(try await HTTP.post(url, json: batch(5), headers: ["Cookie": "sluice_visitor=someone-else"]).status == 202)
        #expect(try queued(stack).filter { $0["visitorId"] == .string("someone-else") }.count == 5)
        try await stack.stop()
    }

    @Test func doNotTrackIsAnonymousByDefaultAndDroppedOnRequest() async throws {
        let stack = try await TestStack(prefix: "dnt", startWorker: false)
        let reply = try await HTTP.post(
            "\(stack.baseURL)/api/analytics/track/event", json: #"{"id":"dnt-1","visitorId":"known","userId":"u-9","eventType":"t","eventName":"n"}"#,
            headers: ["DNT": "1"])
        #expect(reply.status == 202)
        #expect(reply.headers["set-cookie"] == nil)
        let event = try #require(try queued(stack).first { $0["id"] == .string("dnt-1") })
        #expect(event["visitorId"]?.stringValue?.hasPrefix("anon-") == true)
        #expect(event["userId"] == nil)
        try await stack.stop()

        let dropping = try await TestStack(prefix: "dnt-drop", startWorker: false, ingestSettings: ["SLUICE_DNT": "drop"])
        let dropped = try await HTTP.post("\(dropping.baseURL)/api/analytics/track/event", json: Self.event, headers: ["Sec-GPC": "1"])
        #expect(dropped.status == 204)
        #expect(try queued(dropping).isEmpty)
        try await dropping.stop()
    }

    @Test func cookielessVisitorsAreStableHashesWithoutACookie() async throws {
        let stack = try await TestStack(prefix: "cookieless", startWorker: false, ingestSettings: ["SLUICE_COOKIELESS": "true"])
        let url = "\(stack.baseURL)/api/analytics/track/event"
        let first = try await HTTP.post(url, json: #"{"id":"a","eventType":"t","eventName":"n"}"#)
        _ = try await HTTP.post(url, json: #"{"id":"b","eventType":"t","eventName":"n"}"#)
        _ = try await HTTP.post(url, json: #"{"id":"c","eventType":"t","eventName":"n"}"#, headers: ["User-Agent": "Mozilla/5.0 (Macintosh) Safari/605"])
        #expect(first.headers["set-cookie"] == nil)
        let visitors = Dictionary(
            uniqueKeysWithValues: try queued(stack).compactMap { event in
                event["id"]?.stringValue.map { ($0, event["visitorId"]?.stringValue ?? "") }
            })
        #expect(visitors["a"]?.hasPrefix("cl-") == true)
        #expect(visitors["a"] == visitors["b"], "same address and browser on one day: one visitor")
        #expect(visitors["a"] != visitors["c"], "another browser: another visitor")
        try await stack.stop()
    }

    @Test func forwardedAddressesCountOnlyFromTrustedProxies() async throws {
        let headers = ["X-Forwarded-For": "198.51.100.23, 203.0.113.9", "X-Forwarded-Proto": "https"]
        let direct = try await TestStack(prefix: "proxy-none", startWorker: false)
        let ignored = try await HTTP.post(
            "\(direct.baseURL)/api/analytics/track/event", json: #"{"id":"p0","eventType":"t","eventName":"n"}"#, headers: headers)
        #expect(ignored.headers["set-cookie"]?.contains("Secure") == false)
        #expect(try queued(direct).first?["ip"] == .string("127.0.0.0"))
        try await direct.stop()

        let proxied = try await TestStack(prefix: "proxy", startWorker: false, ingestSettings: ["SLUICE_TRUSTED_PROXIES": "127.0.0.1,203.0.113.0/24"])
        let reply = try await HTTP.post("\(proxied.baseURL)/api/analytics/track/event", json: #"{"id":"p1","eventType":"t","eventName":"n"}"#, headers: headers)
        #expect(reply.headers["set-cookie"]?.contains("Secure") == true)
        // 203.0.113.9 is a trusted proxy too, so the client is the address before it.
        #expect(try queued(proxied).first?["ip"] == .string("198.51.100.0"))
        try await proxied.stop()
    }

    @Test func personalDataIsRedactedBeforeQueuing() async throws {
        let stack = try await TestStack(prefix: "redact", startWorker: false)
        let body =
            #"{"id":"r1","agentId":"a","userMessage":"I am jane.doe@example.com, call +1 415 555 0100","aiResponse":"ok","properties":{"card":"4111 1111 1111 1111","order":"A-1767323045678"}}"#
        #expect(try await HTTP.post("\(stack.baseURL)/api/analytics/track/chat", json: body).status == 202)
        let event = try #require(try queued(stack).first)
        #expect(event["userMessage"] == .string("I am [email], call [phone]"))
        #expect(event["properties"]?.objectValue?["card"] == .string("[card]"))
        #expect(event["properties"]?.objectValue?["order"] == .string("A-1767323045678"), "ids are not phone numbers")
        #expect(event["redactions"] == .int(3))
        try await stack.stop()
    }

    @Test func operatorPatternsAreRedactedTooAndABadOneStopsIngest() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("patterns-\(UUID().uuidString).json")
        try Data(#"{"patterns":{"employee":"EMP-[0-9]{6}"}}"#.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let stack = try await TestStack(prefix: "patterns", startWorker: false, ingestSettings: ["SLUICE_REDACT_PATTERNS": file.path])
        let body = #"{"id":"r2","agentId":"a","userMessage":"ask EMP-123456 or a@b.io"}"#
        #expect(try await HTTP.post("\(stack.baseURL)/api/analytics/track/chat", json: body).status == 202)
        let event = try #require(try queued(stack).first)
        #expect(event["userMessage"] == .string("ask [employee] or [email]"))
        #expect(event["redactions"] == .int(2))
        try await stack.stop()

        try Data(#"{"patterns":{"broken":"EMP-[0-9"}}"#.utf8).write(to: file)
        let environment = try TestEnvironment.require()
        let refused = try SluiceProcess(
            binary: "sluice-ingest", environment: environment,
            settings: ["SLUICE_REDIS_URL": try environment.isolatedRedisURL(), "SLUICE_INGEST_PORT": "0", "SLUICE_REDACT_PATTERNS": file.path])
        // As long as TestStack gives an ingest to start (20 s): on a loaded machine even a failing start takes seconds.
        #expect(try await eventually(timeout: .seconds(20)) { !refused.isRunning }, "ingest started with an invalid pattern")
        #expect(refused.log.contains("SLUICE_REDACT_PATTERNS"), "the error names the setting: \(refused.log)")
    }
}
