import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import SluiceCore
import SluiceRedis
import Testing

@testable import SluiceDashboard

/// The real-time page and its JSON and event-stream routes read Redis's live counters.
@Suite struct RealtimeTests {
    /// Two active people in two sessions, one gone; events in this minute and 3 minutes ago; three paths.
    static func seed(_ bed: DashboardTestBed, now: Int64) throws {
        let gone = String(now - LiveCounters.activeWindowMilliseconds - 60_000)
        try bed.redis([
            RedisCommand("ZADD", LiveCounters.visitorsKey, String(now), "v1", String(now), "v2", gone, "v-gone"),
            RedisCommand("ZADD", LiveCounters.sessionsKey, String(now), "s1", String(now), "s2", gone, "s-gone"),
            RedisCommand("SET", LiveCounters.eventsKey(minuteOf: now), "7"),
            RedisCommand("SET", LiveCounters.eventsKey(minuteOf: now - 3 * 60_000), "4"),
            RedisCommand("SET", LiveCounters.eventsKey(minuteOf: now - 40 * 60_000), "100"),
            RedisCommand("ZADD", LiveCounters.pagesKey(minuteOf: now), "2", "/pricing", "1", "/<b>"),
            RedisCommand("ZADD", LiveCounters.pagesKey(minuteOf: now - 60_000), "2", "/docs", "1", "/pricing"),
            RedisCommand("ZADD", LiveCounters.pagesKey(minuteOf: now - 10 * 60_000), "50", "/old"),
        ])
    }

    @Test func theJSONAndThePageShowTheSeededLiveKeysAndRefuseAnonymousCallers() async throws {
        try await DashboardTestBed.run { bed in
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            try Self.seed(bed, now: now)
            let (status, realtime) = try await bed.json("/api/dashboard/realtime")
            #expect(status == .ok)
            #expect(realtime["activeVisitors"] == .int(2))
            #expect(realtime["activeSessions"] == .int(2))
            #expect(realtime["eventsLast30Minutes"] == .int(11))
            let minutes = try #require(realtime["eventsPerMinute"]?.items)
            #expect(minutes.count == 30)
            #expect(minutes.last?.objectValue?["events"] == .int(7) || minutes.last?.objectValue?["events"] == .int(0), "the minute may have turned")
            #expect(minutes.compactMap { $0.objectValue?["events"]?.numberValue }.reduce(0, +) == 11)
            let pages = try #require(realtime["pages"]?.items).compactMap(\.objectValue)
            #expect(pages.map { $0["path"]?.stringValue } == ["/pricing", "/docs", "/<b>"])
            #expect(pages.map { $0["views"] } == [.int(3), .int(2), .int(1)])

            let page = try await bed.send(.get, "/realtime", bearer: DashboardTestBed.token)
            let html = String(buffer: page.body)
            #expect(page.status == .ok)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            #expect(html.contains(#"id="rt-visitors">2</div>"#) && html.contains(#"id="rt-sessions">2</div>"#))
            #expect(html.contains(#"id="rt-events">11</div>"#))
            #expect(html.contains(#"<a href="/realtime" aria-current="page">"#), "the shared navigation")
            #expect(html.contains("<svg id=\"rt-chart\"") && html.components(separatedBy: "class=\"rt-bar\"").count == 31)
            #expect(html.contains("<td>/&lt;b&gt;</td>") && !html.contains("<td>/<b>"))
            #expect(html.contains("new EventSource(\"/api/dashboard/realtime/stream\")"))

            // With the token set (the test bed's), anonymous callers are refused.
            for uri in ["/api/dashboard/realtime", "/api/dashboard/realtime/stream", "/api/dashboard/journey?q=v1"] {
                #expect(try await bed.send(.get, uri).status == .unauthorized, "\(uri)")
            }
            for uri in ["/realtime", "/journey?q=v1"] {
                let response = try await bed.send(.get, uri)
                #expect(response.status == .seeOther && response.headers[.location] == "/login", "\(uri)")
            }
        }
    }

    @Test func theStreamSendsTheFiguresThenHeartbeatsEndsAndIsBounded() async throws {
        try await DashboardTestBed.run { bed in
            try Self.seed(bed, now: Int64(Date().timeIntervalSince1970 * 1000))
            // Eight seconds for two reads 20 ms apart: the stream's loop shares the cooperative
            // threads with other suites' synchronous store calls, which CI has seen hold both
            // for over 3 s (a 3-s stream then sent one event and no heartbeat).
            try await Self.withController(redisURL: bed.redisURL, interval: .milliseconds(20), lifetime: .seconds(8)) { client in
                let response = try await client.execute(uri: "/api/dashboard/realtime/stream", method: .get)
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/event-stream")
                #expect(response.headers[.cacheControl] == "no-store")
                let body = String(buffer: response.body)
                let blocks = body.components(separatedBy: "\n\n").filter { !$0.isEmpty }
                #expect(blocks.first == "retry: 3000")
                let data = try #require(blocks.first { $0.hasPrefix("data: ") })
                #expect(!data.dropFirst(6).contains("\n"), "one data line per event")
                let figures = try #require(try JSONParser.parse(String(data.dropFirst(6))).objectValue)
                #expect(figures["activeVisitors"] == .int(2) && figures["activeSessions"] == .int(2))
                #expect(figures["pages"]?.items?.count == 3)
                #expect(blocks.contains(": heartbeat"), "unchanged figures send a heartbeat comment: \(blocks)")
            }
            try await Self.withController(redisURL: bed.redisURL, interval: .milliseconds(50), lifetime: .milliseconds(50), streamLimit: 0) { client in
                let response = try await client.execute(uri: "/api/dashboard/realtime/stream", method: .get)
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.retryAfter] == "5")
                #expect(String(buffer: response.body).contains("real-time streams are open"))
            }
        }
        let slots = RealtimeStreamSlots(limit: 2)
        #expect(slots.take() && slots.take() && !slots.take())
        slots.giveBack()
        #expect(slots.count == 1 && slots.take())
    }

    /// Runs `body` against a `RealtimeController` alone, with a short stream, on `redisURL`.
    static func withController(
        redisURL: String, interval: Duration, lifetime: Duration, streamLimit: Int = 4,
        _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void
    ) async throws {
        let logger = Logger(label: "sluice-dashboard-tests")
        let writer = RedisPipelineWriter(endpoint: try RedisEndpoint(url: redisURL), logger: logger)
        let router = Router()
        let controller = RealtimeController(
            reads: LiveReads(writer: writer, partitions: 4), layout: PageLayout(isOpen: true), logger: logger, interval: interval, lifetime: lifetime,
            streamLimit: streamLimit)
        controller.addRoutes(pages: router.group(), api: router.group("api/dashboard"))
        let app = Application(router: router, services: [RedisWriterService(writer: writer)], logger: logger)
        try await app.test(.router, body)
    }
}
