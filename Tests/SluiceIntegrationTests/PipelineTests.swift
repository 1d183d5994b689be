import Foundation
import SluiceCore
import Testing

/// Every route through a live ingest and worker into SecantusDB.
@Suite(.serialized) struct PipelineTests {
    static let visitor = "visitor-pipeline"

    @Test func everyKindIsStoredWithTheSeedFieldNamesAndBSONDates() async throws {
        // Taken before any event is sent, so a run across midnight (UTC) cannot put the events before it.
        let startOfToday = Timestamp.iso8601(milliseconds: Int64(Date().timeIntervalSince1970 * 1000) / 86_400_000 * 86_400_000)
        let stack = try await TestStack(prefix: "pipeline")
        let cookie = ["Cookie": "sluice_visitor=\(Self.visitor)"]
        let posts: [(String, String)] = [
            (
                "track/chat",
                #"{"id":"chat-1","agentId":"agent-7","agentName":"Helper","userMessage":"hi","aiResponse":"hello","responseTime":420,"model":"m1","language":"en","timestamp":"2026-01-02T03:04:05.678Z"}"#
            ),
            ("track/chat/feedback", #"{"interactionId":"chat-1","satisfied":true,"feedback":"great"}"#),
            ("track/chat/feedback", #"{"interactionId":"chat-early","satisfied":false}"#),
            (
                "track/tool",
                #"{"id":"tool-1","toolName":"formatter","category":"dev","inputData":{"code":"x"},"outputData":["y"],"success":true,"executionTime":12.5}"#
            ),
            (
                "track/lab",
                #"{"id":"lab-1","experimentName":"exp","experimentType":"vision","model":"m2","success":false,"errorMessage":"boom","processingTime":99}"#
            ),
            ("track/event", #"{"id":"event-1","eventType":"auth","eventName":"signup","userId":"user-1","eventData":{"plan":"pro"},"success":true}"#),
            ("track/pageview", #"{"id":"page-1","url":"https://example.com/pricing?utm_source=x#top","referrer":"https://google.com/","title":"Pricing"}"#),
            ("track/api", #"{"id":"api-1","endpoint":"/v1/things","method":"POST","statusCode":201,"responseTime":33}"#),
        ]
        for (route, body) in posts {
            let reply = try await HTTP.post("\(stack.baseURL)/api/analytics/\(route)", json: body, headers: cookie)
            #expect(reply.status == 202, "\(route): \(reply.text)")
            #expect(reply.json?.objectValue?["id"]?.stringValue != nil)
        }
        let batch = try await HTTP.post(
            "\(stack.baseURL)/api/analytics/batch",
            json:
                #"{"batch":[{"type":"pageview","id":"page-2","url":"/docs"},{"type":"event","id":"event-2","eventType":"auth","eventName":"signup"},{"type":"chat","id":"chat-early","agentId":"agent-7","userMessage":"late"}]}"#,
            headers: cookie)
        #expect(batch.status == 202, "\(batch.text)")
        #expect(batch.json?.objectValue?["accepted"] == .int(3))
        #expect(batch.json?.objectValue?["ids"] == .array([.string("page-2"), .string("event-2"), .string("chat-early")]))

        let stored = try StoredDocuments(url: stack.mongoURL)
        let arrived = try await eventually {
            try stored.count(EventKind.pageview.collection) == 2 && stored.count(EventKind.event.collection) == 2 && stored.count(EventKind.api.collection) == 1
                && stored.count(EventKind.tool.collection) == 1 && stored.count(EventKind.lab.collection) == 1 && stored.count(EventKind.chat.collection) == 2
                && stored.find(EventKind.chat.collection, #"{"eventId":"chat-early","agentId":"agent-7"}"#).count == 1
                && stack.workersAreIdle()
        }
        #expect(arrived, "documents did not all arrive; worker log:\n\(stack.worker?.log ?? "")")

        let chat = try stored.one(EventKind.chat.collection, id: "chat-1")
        #expect(chat["agentId"] == .string("agent-7"))
        #expect(chat["agentName"] == .string("Helper"))
        #expect(chat["userMessage"] == .string("hi"))
        #expect(chat["aiResponse"] == .string("hello"))
        #expect(chat["model"] == .string("m1"))
        #expect(chat["language"] == .string("en"))
        #expect(chat["satisfied"] == .bool(true))
        #expect(chat["feedback"] == .string("great"))
        #expect(chat["visitorId"] == .string(Self.visitor))
        #expect(chat.dateMilliseconds("timestamp") == 1_767_323_045_678)
        #expect(chat.dateMilliseconds("receivedAt") != nil)

        // Feedback that arrived before its interaction is kept, and the interaction fills in around it.
        let early = try stored.one(EventKind.chat.collection, id: "chat-early")
        #expect(early["satisfied"] == .bool(false))
        #expect(early["userMessage"] == .string("late"))

        let tool = try stored.one(EventKind.tool.collection, id: "tool-1")
        #expect(tool["toolName"] == .string("formatter"))
        #expect(tool["executionTime"]?.objectValue?["$numberDouble"] == .string("12.5"))
        #expect(tool["inputData"]?.objectValue?["code"] == .string("x"))
        #expect(tool["success"] == .bool(true))

        let lab = try stored.one(EventKind.lab.collection, id: "lab-1")
        #expect(lab["experimentName"] == .string("exp"))
        #expect(lab["errorMessage"] == .string("boom"))

        let event = try stored.one(EventKind.event.collection, id: "event-1")
        #expect(event["eventData"]?.objectValue?["plan"] == .string("pro"))
        #expect(event["userId"] == .string("user-1"))
        #expect(event["ip"] == .string("127.0.0.0"))

        let api = try stored.one(EventKind.api.collection, id: "api-1")
        let page = try stored.one(EventKind.pageview.collection, id: "page-1")
        #expect(page["path"] == .string("/pricing"))
        #expect(page["title"] == .string("Pricing"))
        #expect(page["referrer"] == .string("https://google.com/"))
        #expect(page.dateMilliseconds("timestamp") != nil)
        // Stitched: the back-dated chat opened a session of its own, the rest share one.
        #expect(page["sessionId"]?.stringValue != nil)
        #expect(page["sessionId"] == api["sessionId"])
        #expect(page["sessionId"] != chat["sessionId"])
        #expect(page["channel"] == .string("search"))
        #expect(page["device"]?.objectValue?["type"] == .string("desktop"))

        #expect(api["statusCode"]?.objectValue?["$numberInt"] == .string("201"))
        #expect(api["method"] == .string("POST"))

        // The seed's own queries, as written.
        #expect(try stored.count(EventKind.event.collection, #"{"eventType":"auth","eventName":"signup"}"#) == 2)
        #expect(try stored.count(EventKind.chat.collection, #"{"agentId":"agent-7"}"#) == 2)
        // The back-dated chat event (2026-01-02) is this visitor's first visit, so it is not new today.
        #expect(try stored.count(StoreCollection.visitors, #"{"firstVisit":{"$gte":{"$date":"2026-01-02T00:00:00Z"}}}"#) == 1)
        #expect(try stored.count(StoreCollection.visitors, #"{"firstVisit":{"$gte":{"$date":"\#(startOfToday)"}}}"#) == 0)
        #expect(try stored.count(StoreCollection.visitors, #"{"lastVisit":{"$gte":{"$date":"\#(startOfToday)"}}}"#) == 1)

        let visitor = try stored.one(StoreCollection.visitors, id: Self.visitor)
        #expect(visitor["pageViews"]?.objectValue?["$numberLong"] == .string("2"))
        #expect(visitor["userIds"] == .array([.string("user-1")]))
        #expect(visitor.dateMilliseconds("firstVisit") == 1_767_323_045_678)
        try await stack.stop()
    }

    @Test func aFirstVisitGetsACookieAndTheCookieNamesTheVisitor() async throws {
        let stack = try await TestStack(prefix: "cookie")
        let first = try await HTTP.post("\(stack.baseURL)/api/analytics/track/event", json: #"{"id":"c-1","eventType":"nav","eventName":"open"}"#)
        #expect(first.status == 202)
        let setCookie = try #require(first.headers["set-cookie"])
        #expect(setCookie.contains("Max-Age=31536000"))
        #expect(setCookie.contains("SameSite=Lax"))
        #expect(setCookie.contains("HttpOnly"))
        let visitorId = try #require(setCookie.split(separator: ";").first?.split(separator: "=").last.map(String.init))

        let again = try await HTTP.post(
            "\(stack.baseURL)/api/analytics/track/event", json: #"{"id":"c-2","eventType":"nav","eventName":"open"}"#,
            headers: ["Cookie": "sluice_visitor=\(visitorId)"])
        #expect(again.headers["set-cookie"] == nil)
        let explicit = try await HTTP.post(
            "\(stack.baseURL)/api/analytics/track/event", json: #"{"id":"c-3","visitorId":"from-body","eventType":"nav","eventName":"open"}"#,
            headers: ["Cookie": "sluice_visitor=\(visitorId)"])
        #expect(explicit.status == 202)

        let stored = try StoredDocuments(url: stack.mongoURL)
        #expect(try await eventually { try stored.count(EventKind.event.collection) == 3 }, "worker log:\n\(stack.worker?.log ?? "")")
        #expect(try stored.one(EventKind.event.collection, id: "c-1")["visitorId"] == .string(visitorId))
        #expect(try stored.one(EventKind.event.collection, id: "c-2")["visitorId"] == .string(visitorId))
        #expect(try stored.one(EventKind.event.collection, id: "c-3")["visitorId"] == .string("from-body"))
        try await stack.stop()
    }
}
