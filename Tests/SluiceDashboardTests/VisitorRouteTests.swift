import Hummingbird
import SluiceCore
import Testing

/// `GET /api/analytics/analytics/visitor/:visitorId`: the visitor, their sessions newest
/// first, paged by an opaque cursor.
@Suite struct VisitorRouteTests {
    private static func seed(_ bed: DashboardTestBed) throws {
        try bed.insert(
            StoreCollection.visitors,
            [
                #"{"_id": "v1", "firstVisit": \#(DashboardTestBed.date("2026-01-01T09:00:00Z")), "visits": 3, "returning": true, "device": {"type": "desktop", "browser": "Firefox"}, "userIds": ["u1"]}"#
            ])
        try bed.insert(
            StoreCollection.sessions,
            [
                #"{"_id": "s-old", "visitorId": "v1", "startTime": \#(DashboardTestBed.date("2026-01-01T09:00:00Z")), "pageViews": 1}"#,
                #"{"_id": "s-new", "visitorId": "v1", "startTime": \#(DashboardTestBed.date("2026-01-03T09:00:00Z")), "endTime": null}"#,
                #"{"_id": "s-mid", "visitorId": "v1", "startTime": \#(DashboardTestBed.date("2026-01-02T09:00:00Z")), "pageViews": 2.5}"#,
                #"{"_id": "s-other", "visitorId": "v2", "startTime": \#(DashboardTestBed.date("2026-01-04T09:00:00Z"))}"#,
            ])
    }

    @Test func theVisitorAndTheirSessionsNewestFirstWithStoredFieldsAndISODates() async throws {
        try await DashboardTestBed.run { bed in
            try Self.seed(bed)
            let (status, body) = try await bed.json("/api/analytics/analytics/visitor/v1")
            #expect(status == .ok)
            let visitor = try #require(body["visitor"]?.objectValue)
            #expect(visitor["_id"] == .string("v1"))
            #expect(visitor["firstVisit"] == .string("2026-01-01T09:00:00.000Z"))
            #expect(visitor["visits"] == .int(3))
            #expect(visitor["returning"] == .bool(true))
            #expect(visitor["device"]?.objectValue?["browser"] == .string("Firefox"))
            #expect(visitor["userIds"] == .array([.string("u1")]))
            let sessions = try #require(body["sessions"]?.items).compactMap(\.objectValue)
            #expect(sessions.map { $0["_id"]?.stringValue } == ["s-new", "s-mid", "s-old"])
            #expect(sessions[0]["endTime"] == .null)
            #expect(sessions[1]["pageViews"] == .double(2.5))
            #expect(body["next"] == .null)
        }
    }

    @Test func aCursorPagesThroughTheSessions() async throws {
        try await DashboardTestBed.run { bed in
            try Self.seed(bed)
            let first = try await bed.json("/api/analytics/analytics/visitor/v1?limit=2").body
            #expect(first["sessions"]?.items?.compactMap { $0.objectValue?["_id"]?.stringValue } == ["s-new", "s-mid"])
            let cursor = try #require(first["next"]?.stringValue)
            let second = try await bed.json("/api/analytics/analytics/visitor/v1?limit=2&cursor=\(cursor)").body
            #expect(second["sessions"]?.items?.compactMap { $0.objectValue?["_id"]?.stringValue } == ["s-old"])
            #expect(second["next"] == .null)
        }
    }

    @Test func anUnknownVisitorIs404() async throws {
        try await DashboardTestBed.run { bed in
            let (status, body) = try await bed.json("/api/analytics/analytics/visitor/nobody")
            #expect(status == .notFound)
            #expect(body["error"] == .string("not_found"))
            #expect(body["details"]?.items?.first?.objectValue?["field"] == .string("visitorId"))
        }
    }

    @Test(arguments: [
        ("limit=0", "limit"), ("limit=501", "limit"), ("limit=ten", "limit"), ("limit=", "limit"), ("cursor=%%%", "cursor"),
        ("cursor=bm8gbmV3bGluZQ", "cursor"),
    ])
    func aBadLimitOrCursorIs400NamingTheField(query: String, field: String) async throws {
        try await DashboardTestBed.run { bed in
            try bed.insert(StoreCollection.visitors, [#"{"_id": "v1"}"#])
            let (status, body) = try await bed.json("/api/analytics/analytics/visitor/v1?\(query)")
            #expect(status == .badRequest)
            #expect(body["error"] == .string("invalid_query"))
            #expect(body["details"]?.items?.first?.objectValue?["field"] == .string(field))
        }
    }
}
