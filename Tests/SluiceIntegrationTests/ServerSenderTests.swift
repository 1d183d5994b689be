import Foundation
import SluiceCore
import Testing

/// Server keys and the visitor context a backend relays for its visitors.
@Suite struct ServerSenderTests {
    static let writeKey = "wk_shop_0123456789abcdef"
    static let serverKey = "sk_shop_0123456789abcdef"
    static let iPhone =
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1"

    /// A sites file with one site holding a write key and a server key.
    static func sitesFile() throws -> URL {
        let sites = FileManager.default.temporaryDirectory.appendingPathComponent("sites-\(UUID().uuidString).json")
        try Data(#"{"sites":[{"id":"shop","writeKeys":["\#(writeKey)"],"serverKeys":["\#(serverKey)"],"origins":["https://shop.example"]}]}"#.utf8).write(
            to: sites)
        return sites
    }

    private func batch(_ count: Int) -> String {
        #"{"batch":[\#(Array(repeating: #"{"type":"event","eventType":"t","eventName":"n"}"#, count: count).joined(separator: ","))]}"#
    }

    @Test func aServerKeysEventsTakeTheRelayedAgentAndAddressAndCurlIsNoBot() async throws {
        let sites = try Self.sitesFile()
        defer { try? FileManager.default.removeItem(at: sites) }
        let stack = try await TestStack(prefix: "server-relay", ingestSettings: ["SLUICE_SITES": sites.path])
        let body = #"""
            {"batch":[
             {"type":"pageview","id":"relayed","visitorId":"v-relay","url":"https://shop.example/p","context":{"userAgent":"\#(Self.iPhone)","ip":"198.51.100.77"}},
             {"type":"api","id":"bare","visitorId":"v-relay","endpoint":"/api/cart","method":"GET"}]}
            """#
        let reply = try await HTTP.post(
            "\(stack.baseURL)/api/analytics/batch", json: body, headers: ["X-Sluice-Key": Self.serverKey, "User-Agent": "curl/8.4.0"])
        #expect(reply.status == 202, "\(reply.text)")
        #expect(reply.headers["set-cookie"] == nil, "a server is not a visitor: no cookie")

        let stored = try StoredDocuments(url: stack.mongoURL)
        #expect(
            try await eventually { try stored.count(EventKind.pageview.collection) == 1 && stored.count(EventKind.api.collection) == 1 },
            "worker log:\n\(stack.worker?.log ?? "")")
        let page = try stored.one(EventKind.pageview.collection, id: "relayed")
        #expect(page["userAgent"] == .string(Self.iPhone))
        #expect(page["device"]?.objectValue?["type"] == .string("mobile"))
        #expect(page["ip"] == .string("198.51.100.0"), "a server key's context.ip, anonymised")
        #expect(page["sessionId"]?.stringValue != nil)
        let api = try stored.one(EventKind.api.collection, id: "bare")
        #expect(api["userAgent"] == nil, "curl's agent is the server's, not the visitor's: \(api)")
        #expect(api["device"]?.objectValue?["type"] != .string("bot"))
        #expect(api["ip"] == nil)
        #expect(api["sessionId"] == page["sessionId"], "the visitor's server and page events share a session")
        // Visitors are written behind: once the workers are idle (derived state flushed).
        #expect(try await eventually { try stack.workersAreIdle() })
        #expect(try stored.count(StoreCollection.visitors, #"{"_id": "v-relay"}"#) == 1)
        try await stack.stop()
    }

    @Test func aBrowserKeysContextIPIsIgnoredButItsRelayedAgentCounts() async throws {
        let sites = try Self.sitesFile()
        defer { try? FileManager.default.removeItem(at: sites) }
        let stack = try await TestStack(prefix: "server-browserkey", ingestSettings: ["SLUICE_SITES": sites.path])
        let body = #"{"id":"wk","visitorId":"v-wk","url":"https://shop.example/","context":{"userAgent":"\#(Self.iPhone)","ip":"198.51.100.77"}}"#
        let reply = try await HTTP.post(
            "\(stack.baseURL)/api/analytics/track/pageview", json: body, headers: ["X-Sluice-Key": Self.writeKey, "User-Agent": "curl/8.4.0"])
        #expect(reply.status == 202, "\(reply.text)")
        let stored = try StoredDocuments(url: stack.mongoURL)
        #expect(try await eventually { try stored.count(EventKind.pageview.collection) == 1 }, "worker log:\n\(stack.worker?.log ?? "")")
        let page = try stored.one(EventKind.pageview.collection, id: "wk")
        #expect(page["ip"] == .string("127.0.0.0"), "the socket's address, not context.ip")
        #expect(page["device"]?.objectValue?["type"] == .string("mobile"), "context.userAgent is the event's agent, not curl's")
        try await stack.stop()
    }

    @Test func aServerKeyFromABrowserIsRefusedAndLogged() async throws {
        let sites = try Self.sitesFile()
        defer { try? FileManager.default.removeItem(at: sites) }
        let stack = try await TestStack(prefix: "server-browser", startWorker: false, ingestSettings: ["SLUICE_SITES": sites.path])
        let url = "\(stack.baseURL)/api/analytics/track/event"
        let event = #"{"eventType":"t","eventName":"n"}"#
        let fromPage = try await HTTP.post(url, json: event, headers: ["X-Sluice-Key": Self.serverKey, "Origin": "https://shop.example"])
        #expect(fromPage.status == 403)
        #expect(fromPage.json?.objectValue?["error"]?.stringValue == "server_key_from_browser", "\(fromPage.text)")
        let fetchMetadata = try await HTTP.post(url, json: event, headers: ["X-Sluice-Key": Self.serverKey, "Sec-Fetch-Site": "same-origin"])
        #expect(fetchMetadata.status == 403)
        let beacon = try await HTTP.post(
            "\(stack.baseURL)/api/analytics/batch",
            body: Data(#"{"writeKey":"\#(Self.serverKey)","batch":[{"type":"event","eventType":"t","eventName":"n"}]}"#.utf8),
            contentType: "text/plain", headers: ["Origin": "https://shop.example"])
        #expect(beacon.status == 403, "a server key in a beacon body")
        #expect(try await HTTP.post(url, json: event, headers: ["X-Sluice-Key": Self.serverKey]).status == 202)
        #expect(try await HTTP.post(url, json: event, headers: ["X-Sluice-Key": Self.writeKey, "Origin": "https://shop.example"]).status == 202)
        #expect(try await eventually { stack.ingest.log.contains("server key refused") }, "ingest log:\n\(stack.ingest.log)")
        try await stack.stop()
    }

    @Test func aServerKeySkipsTheAddressBucketForItsOwn() async throws {
        let sites = try Self.sitesFile()
        defer { try? FileManager.default.removeItem(at: sites) }
        let stack = try await TestStack(
            prefix: "server-bucket", startWorker: false,
            ingestSettings: ["SLUICE_SITES": sites.path, "SLUICE_RATE_LIMIT_ADDRESS": "0.1/5", "SLUICE_RATE_LIMIT_SERVER": "0.1/50"])
        let url = "\(stack.baseURL)/api/analytics/batch"
        #expect(try await HTTP.post(url, json: batch(5), headers: ["X-Sluice-Key": Self.writeKey]).status == 202)
        let browser = try await HTTP.post(url, json: batch(5), headers: ["X-Sluice-Key": Self.writeKey])
        #expect(browser.status == 429, "the address's burst of five is spent: \(browser.text)")
        let server = try await HTTP.post(url, json: batch(10), headers: ["X-Sluice-Key": Self.serverKey])
        #expect(server.status == 202, "the same address with a server key: \(server.text)")
        #expect(try await HTTP.post(url, json: batch(40), headers: ["X-Sluice-Key": Self.serverKey]).status == 202)
        let over = try await HTTP.post(url, json: batch(5), headers: ["X-Sluice-Key": Self.serverKey])
        #expect(over.status == 429, "past the server bucket's burst of 50: \(over.text)")
        try await stack.stop()
    }

    @Test func theCookieDomainSharesTheVisitorWithTheSitesHosts() async throws {
        let stack = try await TestStack(prefix: "cookie-domain", startWorker: false, ingestSettings: ["SLUICE_COOKIE_DOMAIN": ".shop.example"])
        let reply = try await HTTP.post("\(stack.baseURL)/api/analytics/track/event", json: #"{"eventType":"t","eventName":"n"}"#)
        #expect(reply.status == 202)
        let cookie = try #require(reply.headers["set-cookie"])
        #expect(cookie.lowercased().contains("domain=.shop.example"), "\(cookie)")
        try await stack.stop()
    }
}
