import SluiceCore
import SluiceRedis
import Testing

@testable import SluiceWorker

/// The live counters a batch adds: people's sessions by last time and page views per path
/// in the minute, for the dashboard's real-time page; bots in neither.
@Suite struct LiveCounterUpdateTests {
    private typealias E = TestEvents

    @Test func sessionsAndPathsOfPeopleAreCountedAndBotsLeftOut() throws {
        try DerivedTestBed.withFresh { bed in
            let crawler = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
            let bot = #"{"id":"b1","type":"pageview","visitorId":"crawler","timestamp":\#(E.base),"url":"https://shop.example/a","ua":"\#(crawler)"}"#
            let messages = try bed.deliver([
                E.pageView("p1", "v1", "/a", at: 0), E.pageView("p2", "v1", "/a", at: 1_000), E.pageView("p3", "v2", "/b", at: 2_000),
                E.click("c1", "v2", at: 3_000), bot,
            ])
            let events = try bed.enrich(messages)
            var update = LiveCounterUpdate()
            for event in events { update.add(event, isNew: true) }
            let now = E.base + 10_000
            _ = try bed.redis.pipeline(update.commands(now: now))

            let pages = try bed.redis.run(RedisCommand("ZRANGE", LiveCounters.pagesKey(minuteOf: now), "0", "-1", "WITHSCORES")).elements?.compactMap(\.text)
            #expect(pages == ["/b", "1", "/a", "2"])
            let sessions = try bed.redis.run(RedisCommand("ZRANGE", LiveCounters.sessionsKey, "0", "-1", "WITHSCORES")).elements?.compactMap(\.text)
            let v1Session = try #require(events[0].sessionId)
            let v2Session = try #require(events[2].sessionId)
            #expect(sessions == [v1Session, String(E.base + 1_000), v2Session, String(E.base + 3_000)])
            #expect(try bed.redis.run(RedisCommand("GET", LiveCounters.eventsKey(minuteOf: now))).integer == 5)
            #expect(try bed.redis.run(RedisCommand("TTL", LiveCounters.pagesKey(minuteOf: now))).integer ?? 0 > 0)
        }
    }
}
