import SluiceCore
import SluiceRedis
import SluiceRollups
import Testing

@testable import SluiceWorker

/// `DerivedStep` and its script against a real Redis: state, buckets and the dirty set
/// one batch makes, and exactly once under redelivery.
@Suite struct DerivedStepTests {
    typealias E = TestEvents

    /// Two visitors: v1 views `/` and `/pricing` and clicks, v2 views `/` only (a bounce).
    static let twoVisitors = [
        E.pageView("e1", "v1", "/", at: 0), E.pageView("e2", "v2", "/", at: 5_000),
        E.pageView("e3", "v1", "/pricing", at: 10_000), E.click("e4", "v1", at: 20_000),
    ]

    @Test func oneBatchMakesSessionVisitorAndBucketState() throws {
        try DerivedTestBed.withFresh { bed in
            let (outcome, _, events) = try bed.step(Self.twoVisitors)
            #expect(outcome.counted == 4)
            #expect(outcome.lateForRollups == 0)
            #expect(try bed.pendingCount() == 0)
            let s1 = try #require(events[0].sessionId)
            let s2 = try #require(events[1].sessionId)
            #expect(events[2].sessionId == s1 && events[3].sessionId == s1 && s1 != s2)

            let session1 = try bed.hash(StreamLayout.sessionStateKey(sessionId: s1, partition: 0))
            #expect(session1["visitor"] == StreamLayout.visitorStateKey(visitorId: "v1", partition: 0))
            #expect(session1["pv"] == "2" && session1["ev"] == "3")
            #expect(session1["start"] == String(E.base) && session1["last"] == String(E.base + 20_000))
            #expect(session1["entry"] == "/" && session1["exit"] == "/pricing")
            #expect(session1["end"] == nil && session1["stored"] == nil)
            let session2 = try bed.hash(StreamLayout.sessionStateKey(sessionId: s2, partition: 0))
            #expect(session2["pv"] == "1" && session2["ev"] == "1")
            #expect(session2["start"] == String(E.base + 5_000) && session2["last"] == String(E.base + 5_000))
            #expect(session2["entry"] == "/" && session2["exit"] == "/")

            let visitor1 = try bed.hash(StreamLayout.visitorStateKey(visitorId: "v1", partition: 0))
            #expect(visitor1["first"] == String(E.base) && visitor1["last"] == String(E.base + 20_000))
            #expect(visitor1["pv"] == "2" && visitor1["visits"] == "1" && visitor1["ret"] == "0" && visitor1["cur"] == s1)
            let visitor2 = try bed.hash(StreamLayout.visitorStateKey(visitorId: "v2", partition: 0))
            #expect(visitor2["pv"] == "1" && visitor2["visits"] == "1" && visitor2["cur"] == s2)

            for key in [E.hourKey, E.dayKey] {
                let bucket = try bed.hash(key)
                #expect(bucket["h|pageViews"] == "3" && bucket["h|events"] == "4", "\(key)")
                #expect(bucket["h|sessions"] == "2" && bucket["h|bounces"] == "1" && bucket["h|duration"] == "20000", "\(key)")
                #expect(bucket["h|page|n|/"] == "2" && bucket["h|page|n|/pricing"] == "1", "\(key)")
                #expect(bucket["h|entryPage|n|/"] == "2" && (bucket["h|entryPage|n|(none)"] ?? "0") == "0", "\(key)")
                #expect(bucket["h|exitPage|n|/pricing"] == "1" && bucket["h|exitPage|n|/"] == "1", "\(key)")
                #expect(bucket["h|userEvent|n|ui\u{1F}click"] == "1", "\(key)")
                #expect(bucket["h|referrer|n|(none)"] == "2", "\(key)")
                let visitors = try bed.redis.run(
                    RedisCommand("PFCOUNT", StreamLayout.rollupVisitorsKey(bucket: StreamLayout.DerivedKey.name(ofKey: key), partition: 0))
                ).integer
                #expect(visitors == 2, "\(key)")
            }

            // The HyperLogLogs are flushed with their buckets.
            let dirty = try bed.dirtyKeys()
            #expect(
                dirty
                    == ([
                        StreamLayout.sessionStateKey(sessionId: s1, partition: 0), StreamLayout.sessionStateKey(sessionId: s2, partition: 0),
                        StreamLayout.visitorStateKey(visitorId: "v1", partition: 0), StreamLayout.visitorStateKey(visitorId: "v2", partition: 0), E.hourKey,
                        E.dayKey,
                    ]).sorted())
        }
    }

    /// Changed keys are due for the flusher from when their events arrived (the oldest
    /// entry's id), not from when the step ran: an event that waited in the stream is
    /// written that much sooner.
    @Test func changedKeysAreScoredByWhenTheirEventsArrived() throws {
        try DerivedTestBed.withFresh { bed in
            let (_, messages, _) = try bed.step(Self.twoVisitors)
            let ids = messages.compactMap { StreamID($0.id)?.milliseconds }
            let oldest = try #require(ids.min())
            let scores = try bed.redis.run(RedisCommand("ZRANGE", StreamLayout.dirtyKey(partition: 0), "0", "-1", "WITHSCORES")).elements ?? []
            let values = stride(from: 1, to: scores.count, by: 2).compactMap { scores[$0].text.flatMap(Int64.init) }
            #expect(values.count == 6 && values.allSatisfy { $0 == Int64(oldest) }, "\(scores) against \(oldest)")
        }
    }

    /// A change counts as made when its oldest event arrived, but a quarter of the flush
    /// interval before now at the earliest: old entries (a backlog, a dead worker's) do
    /// not make every key they change due at once.
    @Test func changesCountAsMadeWhenTheirEventsArrivedAQuarterIntervalAgoAtMost() {
        let step = DerivedStep(rollupWindowSeconds: 7200, flushIntervalSeconds: 60)
        let now: Int64 = 1_800_000_000_000
        func messages(_ ages: [Int64]) -> [StreamMessage] {
            ages.map { StreamMessage(stream: DerivedTestBed.stream, id: "\(now - $0)-0", fields: nil) }
        }
        #expect(step.changedAt(messages([200, 3900, 50]), now: now) == now - 3900)
        #expect(step.changedAt(messages([200, 600_000]), now: now) == now - 15_000)
        // An id from a clock ahead of this worker's counts as now.
        #expect(step.changedAt(messages([-5000]), now: now) == now)
        #expect(step.changedAt([], now: now) == now)
    }

    @Test func theSameEntriesAgainChangeNothing() throws {
        try DerivedTestBed.withFresh { bed in
            let (_, messages, events) = try bed.step(Self.twoVisitors)
            let before = try bed.snapshot()
            #expect(before.count >= 10)
            // The script finds every entry acknowledged: it answers "acked" with their ids.
            let reply = try bed.redis.run(
                RedisCommand(
                    arguments: [
                        "EVAL", DerivedStepScript.source, "3", DerivedTestBed.stream, StreamLayout.dirtyKey(partition: 0),
                        StreamLayout.dirtySequenceKey(partition: 0), StreamLayout.group, "0", "0", "100", "60", "60", "0", "1", messages[0].id,
                    ]))
            #expect(reply.elements?.compactMap(\.text) == ["acked", messages[0].id])
            let again = try bed.acknowledge(messages, events)
            #expect(again.counted == 0)
            #expect(try bed.snapshot() == before)
        }
    }

    @Test func entriesAcknowledgedMeanwhileAreLeftOut() throws {
        try DerivedTestBed.withFresh { bed in
            let messages = try bed.deliver([E.pageView("a", "v1", "/a", at: 0), E.pageView("b", "v1", "/b", at: 1_000), E.pageView("c", "v1", "/c", at: 2_000)])
            let events = try bed.enrich(messages)
            // Another worker acknowledged (and counted) the second entry.
            #expect(try bed.redis.run(RedisCommand("XACK", DerivedTestBed.stream, StreamLayout.group, messages[1].id)).integer == 1)
            let outcome = try bed.acknowledge(messages, events)
            #expect(outcome.counted == 2)
            #expect(try bed.pendingCount() == 0)
            let session = try bed.hash(StreamLayout.sessionStateKey(sessionId: try #require(events[0].sessionId), partition: 0))
            #expect(session["pv"] == "2" && session["ev"] == "2")
            #expect(session["entry"] == "/a" && session["exit"] == "/c")
            #expect(try bed.hash(StreamLayout.visitorStateKey(visitorId: "v1", partition: 0))["pv"] == "2")
            let hour = try bed.hash(E.hourKey)
            #expect(hour["h|pageViews"] == "2" && hour["h|events"] == "2")
            #expect(hour["h|page|n|/a"] == "1" && hour["h|page|n|/c"] == "1" && hour["h|page|n|/b"] == nil)
        }
    }

    @Test func botsCountApartWithoutSessionOrVisitor() throws {
        try DerivedTestBed.withFresh { bed in
            let crawler = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
            let bot = #"{"id":"b1","type":"pageview","visitorId":"crawler","timestamp":\#(E.base),"url":"https://shop.example/robots","ua":"\#(crawler)"}"#
            let events = try bed.step([bot]).events
            #expect(events[0].isBot && events[0].sessionId == nil)
            #expect(
                try bed.hash(E.hourKey).filter { $0.key != DerivedStepScript.versionField } == [
                    "b|events": "1", "b|pageViews": "1", "b|page|n|/robots": "1", "b|page|#": "1",
                ])
            #expect(try bed.hash(StreamLayout.visitorStateKey(visitorId: "crawler", partition: 0)).isEmpty)
            #expect(
                try bed.redis.run(RedisCommand("EXISTS", StreamLayout.rollupVisitorsKey(bucket: StreamLayout.DerivedKey.name(ofKey: E.hourKey), partition: 0)))
                    .integer == 0)
            #expect(try bed.dirtyKeys() == [E.dayKey, E.hourKey])
        }
    }
}
