import Foundation
import SluiceCore
import Testing

/// Sessions, visitors, devices, bots, engagement and clock skew, end to end.
@Suite struct EnrichmentTests {
    static let iPhone =
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1"
    static let gptBot = "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko); compatible; GPTBot/1.1; +https://openai.com/gptbot"

    private func post(_ stack: TestStack, _ events: [String], userAgent: String = HTTP.browserUserAgent) async throws {
        let reply = try await HTTP.post(
            "\(stack.baseURL)/api/analytics/batch", json: #"{"batch":[\#(events.joined(separator: ","))]}"#, headers: ["User-Agent": userAgent])
        try #require(reply.status == 202, "\(reply.text)")
    }

    private func iso(_ ms: Int64) -> String { Timestamp.iso8601(milliseconds: ms) }

    @Test func gapsOverTheTimeoutStartANewSessionAndCloseThePreviousOne() async throws {
        let stack = try await TestStack(prefix: "sessions")
        let t0 = (Int64(Date().timeIntervalSince1970 * 1000) - 3_600_000) / 1000 * 1000
        try await post(
            stack,
            [
                #"{"type":"pageview","id":"p1","visitorId":"alice","timestamp":\#(t0),"url":"https://shop.example/landing?utm_source=news&utm_medium=email&utm_campaign=fall","referrer":"https://mail.google.com/"}"#,
                #"{"type":"pageview","id":"p2","visitorId":"alice","timestamp":\#(t0 + 300_000),"url":"https://shop.example/cart","referrer":"https://shop.example/landing"}"#,
                #"{"type":"event","id":"e1","visitorId":"alice","userId":"u-alice","timestamp":\#(t0 + 310_000),"eventType":"auth","eventName":"login"}"#,
                #"{"type":"pageview","id":"p3","visitorId":"alice","timestamp":\#(t0 + 2_700_000),"url":"https://shop.example/again","referrer":"https://www.google.com/"}"#,
            ])
        let stored = try StoredDocuments(url: stack.mongoURL)
        #expect(
            try await eventually { try stored.count(EventKind.pageview.collection) == 3 && stack.workersAreIdle() }, "worker log:\n\(stack.worker?.log ?? "")")
        let first = try stored.one(
            StoreCollection.sessions, id: try #require(try stored.one(EventKind.pageview.collection, id: "p1")["sessionId"]?.stringValue))
        let second = try stored.one(
            StoreCollection.sessions, id: try #require(try stored.one(EventKind.pageview.collection, id: "p3")["sessionId"]?.stringValue))
        #expect(try stored.one(EventKind.pageview.collection, id: "p2")["sessionId"] == stored.one(EventKind.pageview.collection, id: "p1")["sessionId"])
        #expect(first.dateMilliseconds("startTime") == t0)
        #expect(first.dateMilliseconds("lastActivity") == t0 + 310_000)
        #expect(first.dateMilliseconds("endTime") == t0 + 310_000, "a new session closes the previous one at its last activity")
        #expect(second["endTime"] == .null)
        #expect(first["entryPage"] == .string("/landing"))
        #expect(first["exitPage"] == .string("/cart"))
        #expect(first["pageViews"]?.objectValue?["$numberLong"] == .string("2"))
        #expect(first["events"]?.objectValue?["$numberLong"] == .string("3"))
        #expect(first["channel"] == .string("email"))
        #expect(first["utm"]?.objectValue?["campaign"] == .string("fall"))
        #expect(first["referrer"] == .string("https://mail.google.com/"))
        #expect(first["visitorId"] == .string("alice"))
        #expect(first["userId"] == .string("u-alice"))
        #expect(second["channel"] == .string("search"))
        #expect(try stored.one(EventKind.pageview.collection, id: "p2")["channel"] == .string("internal"))

        let alice = try stored.one(StoreCollection.visitors, id: "alice")
        #expect(alice["visits"]?.objectValue?["$numberLong"] == .string("2"))
        #expect(alice["pageViews"]?.objectValue?["$numberLong"] == .string("3"))
        #expect(alice["returning"] == .bool(true))
        #expect(alice["userIds"] == .array([.string("u-alice")]))
        // The seed's active-sessions query, as written.
        #expect(try stored.count(StoreCollection.sessions, #"{"endTime": null, "lastActivity": {"$gte": {"$date": "\#(iso(t0))"}}}"#) == 1)
        try await stack.stop()
    }

    @Test func devicesAreParsedAndBotsStoredButNeitherSessionsNorVisitors() async throws {
        let stack = try await TestStack(prefix: "devices")
        try await post(stack, [#"{"type":"pageview","id":"phone","visitorId":"bob","url":"https://a.example/"}"#], userAgent: Self.iPhone)
        try await post(stack, [#"{"type":"pageview","id":"crawler","visitorId":"gpt","url":"https://a.example/"}"#], userAgent: Self.gptBot)
        let stored = try StoredDocuments(url: stack.mongoURL)
        #expect(
            try await eventually { try stored.count(EventKind.pageview.collection) == 2 && stack.workersAreIdle() }, "worker log:\n\(stack.worker?.log ?? "")")
        let phone = try #require(try stored.one(EventKind.pageview.collection, id: "phone")["device"]?.objectValue)
        #expect(phone["type"] == .string("mobile"))
        #expect(phone["browser"] == .string("Mobile Safari"))
        #expect(phone["os"] == .string("iOS"))
        #expect(phone["deviceFamily"] == .string("iPhone"))
        let crawler = try stored.one(EventKind.pageview.collection, id: "crawler")
        #expect(crawler["device"]?.objectValue?["type"] == .string("bot"))
        #expect(crawler["sessionId"] == .null)
        #expect(try stored.count(StoreCollection.visitors, #"{"_id": "gpt"}"#) == 0)
        #expect(try stored.count(StoreCollection.visitors, #"{"_id": "bob"}"#) == 1)
        try await stack.stop()
    }

    @Test func engagementNeverDecreasesAndIsKeptWhenItArrivesFirst() async throws {
        let stack = try await TestStack(prefix: "engagement")
        try await post(
            stack, [#"{"type":"pageview","id":"u1","pageviewId":"pv-1","visitorId":"carol","url":"https://a.example/doc","timeSpent":5000,"scrollDepth":40}"#])
        try await post(
            stack,
            [
                #"{"type":"pageview","id":"pv-1","pageviewId":"pv-1","visitorId":"carol","url":"https://a.example/doc","title":"Doc"}"#,
                #"{"type":"pageview","id":"u2","pageviewId":"pv-1","visitorId":"carol","url":"https://a.example/doc","timeSpent":3000,"scrollDepth":90}"#,
            ])
        let stored = try StoredDocuments(url: stack.mongoURL)
        #expect(
            try await eventually {
                let page = try stored.find(EventKind.pageview.collection, #"{"eventId":"pv-1"}"#).first
                return page?["title"] == .string("Doc") && page?["scrollDepth"]?.objectValue?["$numberInt"] == .string("90")
            }, "worker log:\n\(stack.worker?.log ?? "")")
        let page = try stored.one(EventKind.pageview.collection, id: "pv-1")
        #expect(page["timeSpent"]?.objectValue?["$numberInt"] == .string("5000"), "timeSpent must not drop from 5000 to 3000")
        #expect(try stored.count(EventKind.pageview.collection) == 1)
        try await stack.stop()
    }

    @Test func clientClocksAreCorrectedWithSentAt() async throws {
        let stack = try await TestStack(prefix: "skew")
        // The client's clock runs one day fast: it says the click was at T and it sent at T+10 s.
        let clientNow = Int64(Date().timeIntervalSince1970 * 1000) + 86_400_000
        try await post(
            stack,
            [
                #"{"type":"event","id":"skewed","visitorId":"dave","timestamp":\#(clientNow - 10_000),"sentAt":\#(clientNow),"eventType":"t","eventName":"n"}"#,
                #"{"type":"event","id":"future","visitorId":"dave","timestamp":\#(clientNow),"eventType":"t","eventName":"n"}"#,
            ])
        let stored = try StoredDocuments(url: stack.mongoURL)
        #expect(try await eventually { try stored.count(EventKind.event.collection) == 2 }, "worker log:\n\(stack.worker?.log ?? "")")
        let skewed = try stored.one(EventKind.event.collection, id: "skewed")
        let received = try #require(skewed.dateMilliseconds("receivedAt"))
        #expect(skewed.dateMilliseconds("timestamp") == received - 10_000)
        #expect(skewed.dateMilliseconds("clientTimestamp") == clientNow - 10_000)
        let future = try stored.one(EventKind.event.collection, id: "future")
        #expect(future.dateMilliseconds("timestamp") == future.dateMilliseconds("receivedAt"), "a future time is clamped to receivedAt")
        try await stack.stop()
    }

    @Test func concurrentWorkersAgreeOnOneSession() async throws {
        let stack = try await TestStack(prefix: "agree", workerSettings: ["SLUICE_BATCH_SIZE": "5"])
        try stack.startExtraWorker(name: "second-worker")
        let t0 = Int64(Date().timeIntervalSince1970 * 1000) - 600_000
        for chunk in 0..<4 {
            try await post(
                stack,
                (0..<50).map { n in
                    #"{"type":"event","id":"c\#(chunk)-\#(n)","visitorId":"erin","timestamp":\#(t0 + Int64(chunk * 50 + n) * 1000),"eventType":"t","eventName":"n"}"#
                })
        }
        let stored = try StoredDocuments(url: stack.mongoURL)
        #expect(
            try await eventually(timeout: .seconds(30)) { try stored.count(EventKind.event.collection) == 200 && stack.workersAreIdle() },
            "worker log:\n\(stack.worker?.log ?? "")")
        let sessions = Set(try stored.find(EventKind.event.collection).compactMap { $0["sessionId"]?.stringValue })
        #expect(sessions.count == 1, "one visitor, no gap: \(sessions.count) sessions")
        #expect(try stored.count(StoreCollection.sessions) == 1)
        try await stack.stop()
    }

    @Test func aVisitorsUserIdsStopGrowing() async throws {
        let stack = try await TestStack(prefix: "userids")
        for chunk in 0..<3 {
            try await post(
                stack,
                (0..<60).map { n in
                    #"{"type":"event","id":"u\#(chunk)-\#(n)","visitorId":"grace","userId":"user-\#(chunk)-\#(n)","eventType":"t","eventName":"n"}"#
                })
        }
        let stored = try StoredDocuments(url: stack.mongoURL)
        #expect(
            try await eventually(timeout: .seconds(30)) { try stored.count(EventKind.event.collection) == 180 && stack.workersAreIdle() },
            "worker log:\n\(stack.worker?.log ?? "")")
        let userIds = try stored.one(StoreCollection.visitors, id: "grace")["userIds"]?.arrayValue ?? []
        #expect(userIds.count >= 50 && userIds.count < 100, "\(userIds.count) user ids kept of 180 sent")
        #expect(try stored.count(EventKind.event.collection, #"{"userId": "user-2-59"}"#) == 1, "every event keeps its own userId")
        try await stack.stop()
    }

    @Test func aShortTimeoutSplitsSessionsInRealTime() async throws {
        // The first two events carry their own times, 0.8 s apart and 31.2 s before the third
        // (stamped on arrival), so the gaps do not depend on how long this test's requests
        // wait for a cooperative thread: with sleeps between the requests, a run whose other
        // suites held both threads put two requests 0.8 s apart into different sessions.
        let stack = try await TestStack(prefix: "short", workerSettings: ["SLUICE_SESSION_TIMEOUT": "30"])
        let url = "\(stack.baseURL)/api/analytics/track/event"
        let cookie = ["Cookie": "sluice_visitor=frank"]
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        #expect(try await HTTP.post(url, json: #"{"id":"s1","eventType":"t","eventName":"n","timestamp":\#(now - 32_000)}"#, headers: cookie).status == 202)
        #expect(try await HTTP.post(url, json: #"{"id":"s2","eventType":"t","eventName":"n","timestamp":\#(now - 31_200)}"#, headers: cookie).status == 202)
        #expect(try await HTTP.post(url, json: #"{"id":"s3","eventType":"t","eventName":"n"}"#, headers: cookie).status == 202)
        let stored = try StoredDocuments(url: stack.mongoURL)
        #expect(
            try await eventually {
                try stored.count(EventKind.event.collection) == 3 && stored.count(StoreCollection.sessions, #"{"endTime": {"$ne": null}}"#) == 1
            },
            "worker log:\n\(stack.worker?.log ?? "")")
        let first = try stored.one(EventKind.event.collection, id: "s1")["sessionId"]
        #expect(try stored.one(EventKind.event.collection, id: "s2")["sessionId"] == first, "0.8 s apart: one session")
        #expect(try stored.one(EventKind.event.collection, id: "s3")["sessionId"] != first, "31.2 s apart: a new session")
        #expect(try stored.count(StoreCollection.sessions, #"{"endTime": null}"#) == 1, "only the new session is open")
        try await stack.stop()
    }
}
