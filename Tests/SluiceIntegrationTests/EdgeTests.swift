import Foundation
import SluiceCore
import Testing

/// Write keys, origins and CORS at the edge of ingest.
@Suite struct EdgeTests {
    static let event = #"{"eventType":"t","eventName":"n"}"#

    @Test func openModeEchoesAnyOriginWithCredentialsAndVary() async throws {
        let stack = try await TestStack(prefix: "cors-open", startWorker: false)
        let preflight = try await HTTP.send(
            "\(stack.baseURL)/api/analytics/track/event", method: "OPTIONS",
            headers: ["Origin": "http://shop.test:8080", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"])
        #expect(preflight.status == 204)
        #expect(preflight.headers["access-control-allow-origin"] == "http://shop.test:8080")
        #expect(preflight.headers["access-control-allow-credentials"] == "true")
        #expect(preflight.headers["access-control-allow-methods"]?.contains("POST") == true)
        #expect(preflight.headers["vary"]?.contains("Origin") == true)
        let accepted = try await HTTP.post("\(stack.baseURL)/api/analytics/track/event", json: Self.event, headers: ["Origin": "http://shop.test:8080"])
        #expect(accepted.status == 202)
        #expect(accepted.headers["access-control-allow-origin"] == "http://shop.test:8080")
        #expect(accepted.headers["access-control-expose-headers"] == "Retry-After")
        let refused = try await HTTP.post("\(stack.baseURL)/api/analytics/track/event", json: "{}", headers: ["Origin": "http://shop.test:8080"])
        #expect(refused.status == 400)
        #expect(refused.headers["access-control-allow-origin"] == "http://shop.test:8080", "a page must be able to read why it was refused")
        try await stack.stop()
    }

    @Test func withASitesFileOnlyKnownKeysAndOriginsAreAccepted() async throws {
        let sites = FileManager.default.temporaryDirectory.appendingPathComponent("sites-\(UUID().uuidString).json")
        try Data(#"{"sites":[{"id":"shop","writeKeys":["wk_shop_0123456789abcdef"],"origins":["https://shop.example"]}]}"#.utf8).write(to: sites)
        defer { try? FileManager.default.removeItem(at: sites) }
        let stack = try await TestStack(prefix: "sites", ingestSettings: ["SLUICE_SITES": sites.path])
        let url = "\(stack.baseURL)/api/analytics/track/event"

        let missing = try await HTTP.post(url, json: Self.event)
        #expect(missing.status == 401)
        #expect(missing.json?.objectValue?["error"]?.stringValue == "unauthorized")
        #expect(try await HTTP.post(url, json: Self.event, headers: ["X-Sluice-Key": "wk_wrong_0123456789abcdef"]).status == 401)

        let byHeader = try await HTTP.post(url, json: #"{"id":"k1","eventType":"t","eventName":"n"}"#, headers: ["X-Sluice-Key": "wk_shop_0123456789abcdef"])
        #expect(byHeader.status == 202, "\(byHeader.text)")
        let basic = "Basic " + Data("wk_shop_0123456789abcdef:".utf8).base64EncodedString()
        #expect(try await HTTP.post(url, json: #"{"id":"k2","eventType":"t","eventName":"n"}"#, headers: ["Authorization": basic]).status == 202)
        let beacon = try await HTTP.post(
            "\(stack.baseURL)/api/analytics/batch",
            body: Data(#"{"writeKey":"wk_shop_0123456789abcdef","batch":[{"type":"event","id":"k3","eventType":"t","eventName":"n"}]}"#.utf8),
            contentType: "text/plain;charset=UTF-8", headers: ["Origin": "https://shop.example"])
        #expect(beacon.status == 202, "\(beacon.text)")
        #expect(beacon.headers["access-control-allow-origin"] == "https://shop.example")

        let foreign = try await HTTP.post(url, json: Self.event, headers: ["X-Sluice-Key": "wk_shop_0123456789abcdef", "Origin": "https://evil.example"])
        #expect(foreign.status == 403)
        #expect(foreign.headers["access-control-allow-origin"] == nil)
        let preflight = try await HTTP.send(url, method: "OPTIONS", headers: ["Origin": "https://evil.example", "Access-Control-Request-Method": "POST"])
        #expect(preflight.headers["access-control-allow-origin"] == nil)

        let stored = try StoredDocuments(url: stack.mongoURL)
        #expect(try await eventually { try stored.count(EventKind.event.collection, #"{"siteId":"shop"}"#) == 3 }, "worker log:\n\(stack.worker?.log ?? "")")
        try await stack.stop()
    }
}
