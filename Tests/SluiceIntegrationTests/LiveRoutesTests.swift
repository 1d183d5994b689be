import Foundation
import SluiceCore
import Testing

/// `/current` and `/realtime`, answered from Redis by ingest.
@Suite struct LiveRoutesTests {
    @Test func currentNamesTheCallersSessionAndRealtimeCountsWhatWasStored() async throws {
        let token = "admin-token-0123456789"
        let stack = try await TestStack(prefix: "live", ingestSettings: ["SLUICE_ADMIN_TOKEN": token])
        let cookie = ["Cookie": "sluice_visitor=live-visitor"]
        let posted = try await HTTP.post("\(stack.baseURL)/api/analytics/track/pageview", json: #"{"id":"lp1","url":"https://a.example/"}"#, headers: cookie)
        #expect(posted.status == 202)
        let stored = try StoredDocuments(url: stack.mongoURL)
        // The live counters are updated after the page view is stored: wait until the batch is acknowledged.
        #expect(
            try await eventually { try stored.count(EventKind.pageview.collection) == 1 && stack.workersAreIdle() }, "worker log:\n\(stack.worker?.log ?? "")")
        let sessionId = try #require(try stored.one(EventKind.pageview.collection, id: "lp1")["sessionId"]?.stringValue)

        let current = try await HTTP.send("\(stack.baseURL)/api/analytics/analytics/current", method: "GET", headers: cookie)
        #expect(current.json?.objectValue?["visitorId"] == .string("live-visitor"))
        #expect(current.json?.objectValue?["sessionId"] == .string(sessionId))
        let stranger = try await HTTP.get("\(stack.baseURL)/api/analytics/analytics/current")
        #expect(stranger.json?.objectValue?["visitorId"] == .null, "without a cookie nobody's session is revealed")

        #expect(try await HTTP.get("\(stack.baseURL)/api/analytics/analytics/realtime").status == 401)
        let realtime = try await HTTP.send("\(stack.baseURL)/api/analytics/analytics/realtime", method: "GET", headers: ["Authorization": "Bearer \(token)"])
        #expect(realtime.status == 200)
        let counts = try #require(realtime.json?.objectValue)
        #expect(counts["activeVisitors"] == .int(1))
        #expect(counts["eventsLast5Minutes"] == .int(1))
        #expect(counts["pageViewsLast5Minutes"] == .int(1))
        try await stack.stop()
    }
}
