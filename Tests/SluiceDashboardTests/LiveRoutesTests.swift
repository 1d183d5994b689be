import Foundation
import Hummingbird
import SluiceCore
import SluiceRedis
import Testing

/// `/realtime` and `/current` answer from Redis as ingest's do.
@Suite struct LiveRoutesTests {
    @Test func realtimeCountsTheLiveKeysAndCurrentNamesTheCallersSession() async throws {
        try await DashboardTestBed.run { bed in
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            try bed.redis([
                RedisCommand("ZADD", LiveCounters.visitorsKey, String(now), "v1"),
                RedisCommand("ZADD", LiveCounters.visitorsKey, String(now - LiveCounters.activeWindowMilliseconds - 60_000), "gone"),
                RedisCommand("SET", LiveCounters.eventsKey(minuteOf: now), "3"),
                RedisCommand("SET", LiveCounters.eventsKey(minuteOf: now - 60_000), "2"),
                RedisCommand("SET", LiveCounters.pageViewsKey(minuteOf: now), "4"),
                RedisCommand("HSET", StreamLayout.sessionKey(visitorId: "v1", partitions: 4), StreamLayout.sessionIdField, "s-live"),
            ])
            let (status, realtime) = try await bed.json("/api/analytics/analytics/realtime")
            #expect(status == .ok)
            #expect(realtime["activeVisitors"] == .int(1))
            #expect(realtime["eventsLast5Minutes"] == .int(5))
            #expect(realtime["pageViewsLast5Minutes"] == .int(4))
            #expect(realtime["at"]?.stringValue.flatMap(Timestamp.parseISO8601) != nil)

            let current = try DashboardTestBed.object(try await bed.send(.get, "/api/analytics/analytics/current", cookie: "sluice_visitor=v1"))
            #expect(current["visitorId"] == .string("v1"))
            #expect(current["sessionId"] == .string("s-live"))
        }
    }
}

/// `/current` answers a site's page across origins as ingest does: the origin echoed with
/// credentials when a site lists it, or any origin without a sites file.
@Suite struct CurrentOriginTests {
    @Test func aListedOriginMayReadCurrentAndAnotherMayNot() async throws {
        let sites = FileManager.default.temporaryDirectory.appendingPathComponent("dashboard-sites-\(UUID().uuidString).json")
        try Data(#"{"sites": [{"id": "shop", "writeKeys": ["wk_shop_0123456789abcdef"], "origins": ["https://shop.example"]}]}"#.utf8).write(to: sites)
        defer { try? FileManager.default.removeItem(at: sites) }
        try await DashboardTestBed.run(settings: ["SLUICE_SITES": sites.path]) { bed in
            let listed = try await bed.send(.get, "/api/analytics/analytics/current", origin: "https://shop.example")
            #expect(listed.status == .ok)
            #expect(listed.headers[.accessControlAllowOrigin] == "https://shop.example")
            #expect(listed.headers[.accessControlAllowCredentials] == "true")
            #expect(listed.headers[.vary] == "Origin")
            let other = try await bed.send(.get, "/api/analytics/analytics/current", origin: "https://evil.example")
            #expect(other.headers[.accessControlAllowOrigin] == nil)
            #expect(
                try await bed.send(.get, "/api/analytics/analytics/realtime", origin: "https://shop.example").headers[.accessControlAllowOrigin] == nil,
                "only /current is meant for a site's pages")
        }
        try await DashboardTestBed.run { bed in
            let any = try await bed.send(.get, "/api/analytics/analytics/current", origin: "https://anywhere.example")
            #expect(any.headers[.accessControlAllowOrigin] == "https://anywhere.example")
        }
    }
}
