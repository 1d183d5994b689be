import Foundation
import Hummingbird
import SluiceCore
import Testing

/// The user-journey page and its search: a visitor id, a user id or a session id leads to
/// the visitor's sessions and a session's events on one timeline.
@Suite struct JourneyTests {
    private static func event(_ id: String, _ time: String, session: String = "s1", _ extra: String) -> String {
        #"{"_id": "\#(id)", "sessionId": "\#(session)", "visitorId": "v1", "timestamp": \#(DashboardTestBed.date(time))\#(extra)}"#
    }

    /// v1 (user u-42) with sessions s-old and s1; v2 and v3 share user u-shared; s1 holds one event of each kind.
    private static func seed(_ bed: DashboardTestBed) throws {
        let date = DashboardTestBed.date
        try bed.insert(
            StoreCollection.visitors,
            [
                #"{"_id": "v1", "firstVisit": \#(date("2026-01-01T09:00:00Z")), "lastVisit": \#(date("2026-01-01T10:05:00Z")), "visits": 2, "pageViews": 2, "userIds": ["u-42"]}"#,
                #"{"_id": "v2", "lastVisit": \#(date("2026-01-02T10:00:00Z")), "userIds": ["u-shared"]}"#,
                #"{"_id": "v3", "lastVisit": \#(date("2026-01-01T10:00:00Z")), "userIds": ["u-shared"]}"#,
            ])
        try bed.insert(
            StoreCollection.sessions,
            [
                #"{"_id": "s-old", "visitorId": "v1", "startTime": \#(date("2026-01-01T09:00:00Z")), "entryPage": "/", "pageViews": 1, "events": 1}"#,
                #"{"_id": "s1", "visitorId": "v1", "startTime": \#(date("2026-01-01T10:00:00Z")), "lastActivity": \#(date("2026-01-01T10:05:00Z")), "entryPage": "/pricing", "pageViews": 1, "events": 6}"#,
            ]
                + (0..<21).map { hour in
                    let start = date("2026-01-01T" + (hour < 10 ? "0" : "") + "\(hour):00:00Z")
                    return #"{"_id": "v3-\#(hour)", "visitorId": "v3", "startTime": \#(start)}"#
                })
        try bed.insert(
            EventKind.pageview.collection,
            [
                event("p1", "2026-01-01T10:00:00Z", #", "path": "/pricing", "timeSpent": 30000, "scrollDepth": 75"#),
                event("p-old", "2026-01-01T09:00:00Z", session: "s-old", #", "path": "/""#),
            ])
        try bed.insert(
            EventKind.chat.collection,
            [event("c1", "2026-01-01T10:01:00Z", #", "agentId": "support", "model": "m-1", "satisfied": false, "feedback": "wrong answer""#)])
        try bed.insert(
            EventKind.tool.collection, [event("t1", "2026-01-01T10:02:00Z", #", "toolName": "resize", "success": false, "errorMessage": "timeout""#)])
        try bed.insert(EventKind.lab.collection, [event("l1", "2026-01-01T10:03:00Z", #", "experimentName": "summarise", "success": true"#)])
        try bed.insert(EventKind.api.collection, [event("a1", "2026-01-01T10:04:00Z", #", "method": "GET", "endpoint": "/api/x", "statusCode": 503"#)])
        try bed.insert(EventKind.event.collection, [event("e1", "2026-01-01T10:05:00Z", #", "eventType": "auth", "eventName": "signup", "success": true"#)])
    }

    @Test func theSearchFindsAVisitorAUserAndASessionOrSaysNothingWasFound() async throws {
        try await DashboardTestBed.run { bed in
            try Self.seed(bed)
            func matches(_ q: String) async throws -> [[String: String]] {
                let (status, body) = try await bed.json("/api/dashboard/journey?q=\(q)")
                #expect(status == .ok, "\(q)")
                return (body["matches"]?.items ?? []).compactMap(\.objectValue).map { match in
                    match.members.reduce(into: [:]) { $0[$1.key] = $1.value.stringValue }
                }
            }
            #expect(try await matches("v1") == [["field": "visitorId", "visitorId": "v1"]])
            #expect(try await matches("u-42") == [["field": "userId", "visitorId": "v1"]])
            #expect(try await matches("s1") == [["field": "sessionId", "visitorId": "v1", "sessionId": "s1"]])
            #expect(try await matches("u-shared").map { $0["visitorId"] } == ["v2", "v3"], "most recently seen first")

            let (missing, body) = try await bed.json("/api/dashboard/journey?q=nobody")
            #expect(missing == .notFound && body["details"]?.items?.first?.objectValue?["field"] == .string("q"))
            for bad in ["/api/dashboard/journey", "/api/dashboard/journey?q=%20", "/api/dashboard/journey?q=" + String(repeating: "x", count: 201)] {
                let (status, error) = try await bed.json(bad)
                #expect(status == .badRequest && error["error"] == .string("invalid_query"), "\(bad)")
            }

            // The page says so when nothing is found; the form alone without a search.
            let response = try await bed.send(.get, "/journey?q=%3Cnobody%3E", bearer: DashboardTestBed.token)
            #expect(response.status == .ok)
            #expect(String(buffer: response.body).contains("Nothing found for “&lt;nobody&gt;”"))
            #expect(try await bed.send(.get, "/journey", bearer: DashboardTestBed.token).status == .ok)
            #expect(try await bed.send(.get, "/journey?q=", bearer: DashboardTestBed.token).status == .badRequest)
        }
    }

    @Test func thePageShowsSessionsNewestFirstPagedAndATimelineInOrder() async throws {
        try await DashboardTestBed.run { bed in
            try Self.seed(bed)
            let response = try await bed.send(.get, "/journey?q=s1", bearer: DashboardTestBed.token)
            #expect(response.status == .ok)
            let html = String(buffer: response.body)
            #expect(html.contains("<h2>Visitor v1</h2>") && html.contains(#"<div class="label">User ids</div><div>u-42</div>"#))
            let sessions = try #require(html.range(of: "<table id=\"sessions\"")).upperBound
            let newer = try #require(html.range(of: "s1\">2026-01-01 10:00:00", range: sessions..<html.endIndex)).lowerBound
            let older = try #require(html.range(of: "s-old\">2026-01-01 09:00:00", range: sessions..<html.endIndex)).lowerBound
            #expect(newer < older, "newest first")
            #expect(html.contains(#"<tr aria-current="true">"#))
            #expect(Self.kinds(in: html) == ["pageview", "chat", "tool", "lab", "api", "event"])
            #expect(html.contains("/pricing") && html.contains("scrolled 75%") && html.contains("time spent"))
            #expect(html.contains("⚠ unsatisfied feedback: wrong answer") && html.contains("⚠ failed: timeout") && html.contains("⚠ server error 503"))
            #expect(html.components(separatedBy: #"<tr class="error""#).count == 4, "three problems")
            #expect(html.contains("auth/signup") && !html.contains("p-old"))

            // A user id leads to its visitor; sessions are paged.
            let byUser = String(buffer: try await bed.send(.get, "/journey?q=u-42", bearer: DashboardTestBed.token).body)
            #expect(byUser.contains("<h2>Visitor v1</h2>") && !byUser.contains("id=\"timeline\""))
            let chosen = String(buffer: try await bed.send(.get, "/journey?q=v1&session=s-old", bearer: DashboardTestBed.token).body)
            #expect(Self.kinds(in: chosen) == ["pageview"])
            let foreign = String(buffer: try await bed.send(.get, "/journey?q=v2&session=s1", bearer: DashboardTestBed.token).body)
            #expect(foreign.contains("this visitor has no session with this id") && !foreign.contains("id=\"timeline\""))

            let shared = String(buffer: try await bed.send(.get, "/journey?q=u-shared", bearer: DashboardTestBed.token).body)
            #expect(shared.contains(#"<a href="/journey?q=v2">v2</a>"#) && shared.contains(#"<a href="/journey?q=v3">v3</a>"#))

            let first = String(buffer: try await bed.send(.get, "/journey?q=v3", bearer: DashboardTestBed.token).body)
            #expect(first.components(separatedBy: "session=v3-").count - 1 == 20 && !first.contains("session=v3-0\""))
            let olderLink = try #require(first.firstMatch(of: /id="older" href="([^"]+)"/)).1.replacingOccurrences(of: "&amp;", with: "&")
            let second = String(buffer: try await bed.send(.get, String(olderLink), bearer: DashboardTestBed.token).body)
            #expect(second.contains("session=v3-0\"") && !second.contains("id=\"older\""))
        }
    }

    /// The kinds of the timeline's rows, in page order.
    private static func kinds(in html: String) -> [String] {
        html.matches(of: /data-kind="([a-z]+)"/).map { String($0.1) }
    }
}
