import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import SluiceClient

/// The middleware in-process (HummingbirdTesting's router mode): what it queues for
/// each request and the visitor cookie it sets. The sender's batch size is never reached,
/// so nothing is posted; delivery to a real ingest is SluiceIntegrationTests' part.
@Suite struct SluiceTrackingMiddlewareTests {
    static func configuration() throws -> SluiceClientConfiguration {
        var configuration = try SluiceClientConfiguration(endpoint: URL(string: "http://127.0.0.1:1")!, writeKey: "server-key-0123456789")
        configuration.flushAt = 1000
        return configuration
    }

    /// A router with the middleware, a page at `/items/{id}` and an API route at `/api/items`.
    static func application(_ sender: SluiceSender, skip: @escaping SluiceTrackingMiddleware<BasicRequestContext>.SkipPredicate = { _, _ in false })
        throws -> some ApplicationProtocol
    {
        let router = Router()
        router.add(
            middleware: SluiceTrackingMiddleware(sender: sender, configuration: try configuration(), skip: skip, clientAddress: { _, _ in "203.0.113.77" }))
        router.get("/items/{id}") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: ResponseBody(byteBuffer: ByteBuffer(string: "<p>item</p>")))
        }
        router.get("/api/items") { _, _ in "[]" }
        router.get("/healthz") { _, _ in "ok" }
        return Application(router: router)
    }

    @Test func aPageIsAnAPICallAndAPageViewAndANewVisitorGetsACookie() async throws {
        let sender = SluiceSender(configuration: try Self.configuration())
        let response = try await Self.application(sender).test(.router) { client in
            try await client.execute(uri: "/items/7?ref=mail", method: .get, headers: [.userAgent: "Firefox/128.0", .referer: "https://search.example/"])
        }
        #expect(response.status == .ok)
        let cookie = try #require(response.headers[.setCookie])
        #expect(cookie.hasPrefix("sluice_visitor=") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && !cookie.contains("Secure"))
        let visitorId = String(cookie.dropFirst("sluice_visitor=".count).prefix { $0 != ";" })
        let events = await sender.queue
        #expect(events.map(\.type) == ["api", "pageview"])
        let call = try #require(events.first)
        #expect(call.visitorId == visitorId && call.endpoint == "/items/{id}" && call.method == "GET" && call.statusCode == 200)
        #expect(call.context.userAgent == "Firefox/128.0" && call.context.referrer == "https://search.example/")
        // Anonymised before it leaves the server: /24.
        #expect(call.context.ip == "203.0.113.0")
        let page = try #require(events.last)
        #expect(page.url?.hasSuffix("/items/7?ref=mail") == true && page.referrer == "https://search.example/" && page.visitorId == visitorId)
    }

    @Test func aKnownVisitorKeepsItsIdAndAnAPICallMakesNoPageView() async throws {
        let sender = SluiceSender(configuration: try Self.configuration())
        let response = try await Self.application(sender).test(.router) { client in
            try await client.execute(uri: "/api/items", method: .get, headers: [.cookie: "sluice_visitor=v_known-1"])
        }
        #expect(response.headers[.setCookie] == nil)
        let events = await sender.queue
        #expect(events.map(\.type) == ["api"] && events.first?.visitorId == "v_known-1" && events.first?.endpoint == "/api/items")
    }

    /// A cookie ingest would refuse as a visitor id is replaced, not relayed.
    @Test func anInvalidCookieIsReplaced() async throws {
        let sender = SluiceSender(configuration: try Self.configuration())
        let response = try await Self.application(sender).test(.router) { client in
            try await client.execute(uri: "/api/items", method: .get, headers: [.cookie: "sluice_visitor=has%20space"])
        }
        #expect(response.headers[.setCookie] != nil)
        #expect(await sender.queue.first?.visitorId != "has%20space")
    }

    @Test func skippedRequestsAndUnmatchedRoutes() async throws {
        let sender = SluiceSender(configuration: try Self.configuration())
        let statuses = try await Self.application(sender, skip: { request, _ in request.uri.path == "/healthz" }).test(.router) { client in
            [try await client.execute(uri: "/healthz", method: .get).status, try await client.execute(uri: "/nowhere", method: .get).status]
        }
        #expect(statuses == [.ok, .notFound])
        // The health check is not tracked; the unmatched path is, as its path and its 404.
        let events = await sender.queue
        #expect(events.count == 1 && events.first?.endpoint == "/nowhere" && events.first?.statusCode == 404)
    }
}

/// The sender's queue and retry timing, and the configuration's checks, without a network.
@Suite struct SluiceSenderTests {
    @Test func aFullQueueDropsItsOldestAndCountsThem() async throws {
        var configuration = try SluiceClientConfiguration(endpoint: URL(string: "http://127.0.0.1:1")!, writeKey: "server-key-0123456789")
        configuration.flushAt = 1000
        configuration.maxQueue = 2
        let sender = SluiceSender(configuration: configuration)
        let events = (0..<3).map { TrackedEvent(type: "api", visitorId: "v\($0)", timestamp: Int64($0), context: .init()) }
        await sender.enqueue(events)
        #expect(await sender.queue.map(\.visitorId) == ["v1", "v2"])
        #expect(await sender.stats == SluiceSender.Stats(dropped: 1))
    }

    @Test func retriesWaitRetryAfterUpToFiveMinutesElseABackoffWithJitter() {
        #expect(SluiceSender.retryDelay(attempt: 0, retryAfterSeconds: 7) == .seconds(7))
        #expect(SluiceSender.retryDelay(attempt: 0, retryAfterSeconds: 9999) == .seconds(300))
        #expect(SluiceSender.retryDelay(attempt: 0, retryAfterSeconds: -5) == .seconds(0))
        for attempt in [0, 3, 40] {
            let base = min(30_000, 500 << min(attempt, 16))
            let delay = SluiceSender.retryDelay(attempt: attempt, retryAfterSeconds: nil)
            #expect(delay >= .milliseconds(base / 2) && delay <= .milliseconds(base), "attempt \(attempt): \(delay)")
        }
    }

    @Test func theConfigurationRefusesWhatCannotWork() {
        #expect(throws: SluiceClientError.self) {
            try SluiceClientConfiguration(endpoint: URL(string: "ftp://ingest.example")!, writeKey: "server-key-0123456789")
        }
        #expect(throws: SluiceClientError.self) { try SluiceClientConfiguration(endpoint: URL(string: "https://ingest.example")!, writeKey: "short") }
        #expect(throws: Never.self) { try SluiceClientConfiguration(endpoint: URL(string: "https://ingest.example")!, writeKey: "server-key-0123456789") }
    }

    @Test(arguments: [
        ("198.51.100.23", "198.51.100.0"), ("2001:db8:85a3:8d3:1319:8a2e:370:7348", "2001:db8:85a3::"), ("::ffff:192.0.2.9", "192.0.2.0"),
        ("not an address", nil),
    ])
    func addressesAreCutAsIngestCutsThem(_ address: String, _ expected: String?) {
        #expect(VisitorIdentity.anonymized(address) == expected)
    }
}
