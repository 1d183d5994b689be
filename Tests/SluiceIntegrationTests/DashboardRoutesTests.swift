import Foundation
import SluiceCore
import Testing

/// The seed's visitor and session routes on a real `sluice-dashboard` process, reading what
/// real ingest and worker processes stored.
@Suite struct DashboardRoutesTests {
    static let token = "dashboard-admin-token-0123456789"

    @Test func eventsPostedThroughIngestReadBackThroughTheDashboard() async throws {
        let stack = try await TestStack(prefix: "dash")
        let dashboard = try SluiceProcess(
            binary: "sluice-dashboard", environment: stack.environment,
            settings: [
                "SLUICE_REDIS_URL": stack.redisURL, "SLUICE_MONGO_URL": stack.mongoURL, "SLUICE_PARTITIONS": String(TestStack.partitions),
                "SLUICE_DASHBOARD_PORT": "0", "SLUICE_ADMIN_TOKEN": Self.token,
            ])
        let base = "http://127.0.0.1:\(try #require(try await dashboard.listeningPort(), "sluice-dashboard did not start listening; log:\n\(dashboard.log)"))"

        let cookie = ["Cookie": "sluice_visitor=dash-visitor"]
        let start = Int64(Date().timeIntervalSince1970 * 1000) - 60_000
        let posts: [(route: String, body: String)] = [
            ("pageview", #"{"id":"dp1","url":"https://a.example/pricing","timestamp":\#(start)}"#),
            ("chat", #"{"id":"dc1","agentId":"helper","userMessage":"hi","aiResponse":"hello","responseTime":900,"timestamp":\#(start + 1000)}"#),
            ("tool", #"{"id":"dt1","toolName":"resize","success":true,"executionTime":40,"timestamp":\#(start + 2000)}"#),
            ("event", #"{"id":"de1","eventType":"auth","eventName":"signup","timestamp":\#(start + 3000)}"#),
        ]
        for post in posts {
            let reply = try await HTTP.post("\(stack.baseURL)/api/analytics/track/\(post.route)", json: post.body, headers: cookie)
            #expect(reply.status == 202, "\(post.route): \(String(decoding: reply.body, as: UTF8.self))")
        }
        let stored = try StoredDocuments(url: stack.mongoURL)
        // Sessions and visitors are written behind the events: wait for the flush too.
        let settled = try await eventually(timeout: .seconds(30)) {
            try stored.count(StoreCollection.sessions) == 1 && stored.count(StoreCollection.visitors) == 1 && stack.workersAreIdle()
        }
        #expect(settled, "worker log:\n\(stack.worker?.log ?? "")")
        let sessionId = try #require(try stored.one(EventKind.pageview.collection, id: "dp1")["sessionId"]?.stringValue)
        let auth = ["Authorization": "Bearer \(Self.token)"]

        #expect(try await HTTP.get("\(base)/api/analytics/analytics/visitor/dash-visitor").status == 401, "never open with a token set")
        let visitor = try await HTTP.send("\(base)/api/analytics/analytics/visitor/dash-visitor", method: "GET", headers: auth)
        #expect(visitor.status == 200, "\(String(decoding: visitor.body, as: UTF8.self))\ndashboard log:\n\(dashboard.log)")
        let visitorBody = try #require(visitor.json?.objectValue)
        #expect(visitorBody["visitor"]?.objectValue?["_id"] == .string("dash-visitor"))
        guard case .array(let sessions)? = visitorBody["sessions"] else {
            Issue.record("no sessions array: \(visitorBody)")
            return
        }
        #expect(sessions.map { $0.objectValue?["_id"] } == [.string(sessionId)])
        #expect(sessions.first?.objectValue?["startTime"] == .string(Timestamp.iso8601(milliseconds: start)))

        let session = try await HTTP.send("\(base)/api/analytics/analytics/session/\(sessionId)", method: "GET", headers: auth)
        #expect(session.status == 200, "\(String(decoding: session.body, as: UTF8.self))")
        let sessionBody = try #require(session.json?.objectValue)
        #expect(sessionBody["session"]?.objectValue?["visitorId"] == .string("dash-visitor"))
        guard case .array(let events)? = sessionBody["events"] else {
            Issue.record("no events array: \(sessionBody)")
            return
        }
        #expect(events.map { $0.objectValue?["kind"]?.stringValue } == ["pageview", "chat", "tool", "event"])
        #expect(events.map { $0.objectValue?["eventId"]?.stringValue ?? $0.objectValue?["_id"]?.stringValue } == ["dp1", "dc1", "dt1", "de1"])
        #expect(try await HTTP.send("\(base)/api/analytics/analytics/session/no-such-session", method: "GET", headers: auth).status == 404)

        _ = try await dashboard.stop()
        try await stack.stop()
    }
}
