import Hummingbird
import SluiceCore
import Testing

/// `GET /api/analytics/analytics/session/:sessionId`: the session and its events of every
/// kind in time order (timestamp, then receivedAt, then _id), each with its kind.
@Suite struct SessionRouteTests {
    private static func event(_ id: String, _ time: String, session: String = "s1", received: String? = nil, extra: String = "") -> String {
        let receivedAt = DashboardTestBed.date(received ?? time)
        return
            #"{"_id": \#(id), "sessionId": "\#(session)", "visitorId": "v1", "timestamp": \#(DashboardTestBed.date(time)), "receivedAt": \#(receivedAt)\#(extra)}"#
    }

    private static func seed(_ bed: DashboardTestBed) throws {
        try bed.insert(
            StoreCollection.sessions,
            [#"{"_id": "s1", "visitorId": "v1", "startTime": \#(DashboardTestBed.date("2026-01-01T10:00:00Z")), "utm": {"source": "news"}}"#])
        try bed.insert(
            EventKind.pageview.collection,
            [
                event(#""p1""#, "2026-01-01T10:00:00Z", extra: #", "url": "https://a.example/", "scrollDepth": 80"#),
                event(#""p2""#, "2026-01-01T10:05:00Z", received: "2026-01-01T10:05:02Z"),
                event(#""p-elsewhere""#, "2026-01-01T10:01:00Z", session: "s2"),
            ])
        try bed.insert(EventKind.chat.collection, [event(#""c1""#, "2026-01-01T10:01:00Z", extra: #", "responseTime": 1200, "satisfied": true"#)])
        try bed.insert(EventKind.tool.collection, [event(#"{"$oid": "65a1b2c3d4e5f6a7b8c9d0e1"}"#, "2026-01-01T10:05:00Z", received: "2026-01-01T10:05:01Z")])
        try bed.insert(EventKind.event.collection, [event(#""e1""#, "2026-01-01T10:09:00Z", extra: #", "eventData": {"plan": "pro", "seats": [1, 2]}"#)])
    }

    @Test func theSessionsEventsOfEveryKindInTimeOrder() async throws {
        try await DashboardTestBed.run { bed in
            try Self.seed(bed)
            let (status, body) = try await bed.json("/api/analytics/analytics/session/s1")
            #expect(status == .ok)
            #expect(body["session"]?.objectValue?["utm"]?.objectValue?["source"] == .string("news"))
            #expect(body["session"]?.objectValue?["startTime"] == .string("2026-01-01T10:00:00.000Z"))
            let events = try #require(body["events"]?.items).compactMap(\.objectValue)
            #expect(events.map { $0["_id"]?.stringValue ?? "?" } == ["p1", "c1", "65a1b2c3d4e5f6a7b8c9d0e1", "p2", "e1"])
            #expect(events.map { $0["kind"]?.stringValue ?? "?" } == ["pageview", "chat", "tool", "pageview", "event"])
            #expect(events[0].members.first?.key == "kind")
            #expect(events[0]["scrollDepth"] == .int(80))
            #expect(events[0]["timestamp"] == .string("2026-01-01T10:00:00.000Z"))
            #expect(events[1]["satisfied"] == .bool(true))
            #expect(events[4]["eventData"]?.objectValue?["seats"] == .array([.int(1), .int(2)]))
            #expect(body["truncated"] == .bool(false))
        }
    }

    @Test func aLongSessionIsCutAndSaysSo() async throws {
        try await DashboardTestBed.run(maxSessionEvents: 2) { bed in
            try Self.seed(bed)
            let body = try await bed.json("/api/analytics/analytics/session/s1").body
            #expect(body["events"]?.items?.compactMap { $0.objectValue?["_id"]?.stringValue } == ["p1", "c1"])
            #expect(body["truncated"] == .bool(true))
        }
    }

    @Test func anUnknownSessionIs404() async throws {
        try await DashboardTestBed.run { bed in
            let (status, body) = try await bed.json("/api/analytics/analytics/session/nothing")
            #expect(status == .notFound)
            #expect(body["error"] == .string("not_found"))
            #expect(body["details"]?.items?.first?.objectValue?["field"] == .string("sessionId"))
        }
    }
}
