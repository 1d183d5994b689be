import Foundation
import SluiceCore
import Testing

/// Ids chosen by clients reach only their own sender's documents (docs/decisions.md,
/// "Ids scoped to their sender"), and a retried first request stays one event.
@Suite struct IdScopeTests {
    static let alice = ["Cookie": "sluice_visitor=alice-visitor"]
    static let mallory = ["Cookie": "sluice_visitor=mallory-visitor"]

    @Test func anotherVisitorsReusedIdsLeaveTheFirstVisitorsDocumentsAlone() async throws {
        let stack = try await TestStack(prefix: "idscope")
        let api = "\(stack.baseURL)/api/analytics"
        func post(_ route: String, _ json: String, _ headers: [String: String]) async throws {
            let reply = try await HTTP.post("\(api)/\(route)", json: json, headers: headers)
            #expect(reply.status == 202, "\(route): \(reply.status) \(reply.text)")
        }
        try await post("track/chat", #"{"id":"chat-1","agentId":"a","userMessage":"alice asks"}"#, Self.alice)
        try await post("track/pageview", #"{"id":"pv-1","pageviewId":"pv-1","url":"https://a.example/","title":"Alice's"}"#, Self.alice)
        try await post("track/pageview", #"{"pageviewId":"pv-1","url":"https://a.example/","timeSpent":1000,"scrollDepth":10}"#, Self.alice)
        let stored = try StoredDocuments(url: stack.mongoURL)
        #expect(
            try await eventually {
                try stored.count(EventKind.chat.collection) == 1 && stored.count(EventKind.pageview.collection) == 1 && stack.workersAreIdle()
            })
        let aliceSession = try #require(try stored.find(EventKind.pageview.collection).first?["sessionId"]?.stringValue)

        // Mallory reuses every id Alice's documents have, without claiming to be Alice.
        try await post("track/chat", #"{"id":"chat-1","agentId":"a","userMessage":"mallory rewrites"}"#, Self.mallory)
        try await post("track/chat/feedback", #"{"interactionId":"chat-1","satisfied":false}"#, Self.mallory)
        try await post("track/chat/feedback", #"{"interactionId":"no-such-chat","satisfied":true}"#, Self.mallory)
        try await post("track/pageview", #"{"pageviewId":"pv-1","url":"https://a.example/","timeSpent":99000,"scrollDepth":100}"#, Self.mallory)
        try await post("track/event", #"{"id":"e-m","eventType":"t","eventName":"n","sessionId":"\#(aliceSession)"}"#, Self.mallory)
        #expect(
            try await eventually { try stored.count(EventKind.chat.collection) == 3 && stored.count(EventKind.event.collection) == 1 && stack.workersAreIdle() }
        )
        // Feedback that made its own document carries who sent it and when, for retention and erasure.
        let orphan = try stored.one(EventKind.chat.collection, id: "no-such-chat")
        #expect(orphan["visitorId"] == .string("mallory-visitor") && orphan.dateMilliseconds("timestamp") != nil, "\(orphan)")

        let chats = try stored.find(EventKind.chat.collection, #"{"eventId":"chat-1"}"#)
        #expect(chats.count == 2, "the second sender's chat is stored, not dropped as a duplicate")
        let alicesChat = try #require(chats.first { $0["visitorId"] == .string("alice-visitor") })
        #expect(alicesChat["userMessage"] == .string("alice asks"))
        #expect(alicesChat["satisfied"] == nil, "mallory's feedback reached alice's chat")
        #expect(chats.first { $0["visitorId"] == .string("mallory-visitor") }?["satisfied"] == .bool(false))

        let alicesPage = try #require(try stored.find(EventKind.pageview.collection, #"{"eventId":"pv-1","visitorId":"alice-visitor"}"#).first)
        #expect(alicesPage["timeSpent"]?.objectValue?["$numberInt"] == .string("1000"))
        #expect(alicesPage["scrollDepth"]?.objectValue?["$numberInt"] == .string("10"))

        let session = try stored.one(StoreCollection.sessions, id: aliceSession)
        #expect(session["events"]?.objectValue?["$numberLong"] == .string("2"), "mallory's event joined alice's session: \(session)")
        let mallorysEvent = try stored.one(EventKind.event.collection, id: "e-m")
        #expect(mallorysEvent["sessionId"] != .string(aliceSession))
        try await stack.stop()
    }

    @Test func aFirstRequestRetriedBeforeItsCookieArrivedIsStoredOnce() async throws {
        let stack = try await TestStack(prefix: "firstretry")
        let url = "\(stack.baseURL)/api/analytics/track/event"
        let body = #"{"id":"first-1","eventType":"t","eventName":"n"}"#
        let first = try await HTTP.post(url, json: body)
        let retry = try await HTTP.post(url, json: body)
        #expect(first.status == 202 && retry.status == 202)
        let cookie = { (reply: HTTPReply) in reply.headers["set-cookie"]?.split(separator: ";").first.map(String.init) }
        #expect(cookie(first) != nil && cookie(first) == cookie(retry), "\(cookie(first) ?? "none") vs \(cookie(retry) ?? "none")")
        let other = try await HTTP.post(url, json: #"{"id":"first-2","eventType":"t","eventName":"n"}"#)
        #expect(cookie(other) != cookie(first), "another first event gets another visitor")

        let stored = try StoredDocuments(url: stack.mongoURL)
        #expect(try await eventually { try stored.count(EventKind.event.collection) >= 2 && stack.workersAreIdle() })
        #expect(try stored.count(EventKind.event.collection, #"{"eventId":"first-1"}"#) == 1)
        try await stack.stop()
    }
}
