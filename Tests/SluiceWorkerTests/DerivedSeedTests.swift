import SluiceCore
import SluiceRedis
import SluiceRollups
import Testing

@testable import SluiceWorker

/// State Redis no longer holds (expired after a flush) is started again from the
/// stored documents, so counts go on from what MongoDB has.
@Suite struct DerivedSeedTests {
    typealias E = TestEvents

    /// Forgets the derived state of `keys`, as expiry would after a flush.
    func expire(_ bed: DerivedTestBed, _ keys: [String]) throws {
        #expect(try bed.redis.run(RedisCommand(arguments: ["DEL"] + keys)).integer == Int64(keys.count))
    }

    @Test func anExpiredSessionGoesOnFromItsDocument() throws {
        try DerivedTestBed.withFresh { bed in
            let s1 = try #require(try bed.step(DerivedStepTests.twoVisitors).events[0].sessionId)
            try bed.flusher().flush(redis: bed.redis)
            try expire(bed, [StreamLayout.sessionStateKey(sessionId: s1, partition: 0), StreamLayout.visitorStateKey(visitorId: "v1", partition: 0)])

            // The stitcher still knows the session: the event continues it.
            let next = try bed.step([E.pageView("e5", "v1", "/about", at: 30_000)]).events
            #expect(next[0].sessionId == s1 && next[0].session?.isNew == false)
            let session = try bed.hash(StreamLayout.sessionStateKey(sessionId: s1, partition: 0))
            #expect(session["pv"] == "3" && session["ev"] == "4" && session["stored"] == "1")
            #expect(session["start"] == String(E.base) && session["last"] == String(E.base + 30_000))
            #expect(session["exit"] == "/about")
            let visitor = try bed.hash(StreamLayout.visitorStateKey(visitorId: "v1", partition: 0))
            #expect(visitor["visits"] == "1" && visitor["pv"] == "3" && visitor["ret"] == "0" && visitor["stored"] == "1")
            let hour = try bed.hash(E.hourKey)
            #expect(hour["h|sessions"] == "2" && hour["h|duration"] == "30000")
            #expect(hour["h|exitPage|n|/about"] == "1" && hour["h|exitPage|n|/pricing"] == "0")
        }
    }

    @Test func aReturningVisitorGoesOnFromItsDocument() throws {
        try DerivedTestBed.withFresh(sessionTimeoutSeconds: 60) { bed in
            let s1 = try #require(try bed.step(DerivedStepTests.twoVisitors).events[0].sessionId)
            try bed.flusher().flush(redis: bed.redis)
            try expire(bed, [StreamLayout.sessionStateKey(sessionId: s1, partition: 0), StreamLayout.visitorStateKey(visitorId: "v1", partition: 0)])

            let next = try bed.step([E.pageView("e5", "v1", "/about", at: 600_000)]).events
            let s2 = try #require(next[0].sessionId)
            #expect(s2 != s1)
            let visitor = try bed.hash(StreamLayout.visitorStateKey(visitorId: "v1", partition: 0))
            #expect(visitor["visits"] == "2" && visitor["ret"] == "1" && visitor["pv"] == "3")
            #expect(visitor["first"] == String(E.base) && visitor["last"] == String(E.base + 600_000))
            try bed.flusher().flush(redis: bed.redis)
            let document = try #require(try bed.documents(StoreCollection.visitors)["v1"])
            #expect(StoredFields.integer(document["visits"]) == "2" && document["returning"] == .bool(true))
            #expect(StoredFields.integer(document["pageViews"]) == "3")
        }
    }

    @Test func anExpiredSessionKeepsItsEntryPage() throws {
        try DerivedTestBed.withFresh { bed in
            let s1 = try #require(try bed.step(DerivedStepTests.twoVisitors).events[0].sessionId)
            try bed.flusher().flush(redis: bed.redis)
            try expire(bed, [StreamLayout.sessionStateKey(sessionId: s1, partition: 0), StreamLayout.visitorStateKey(visitorId: "v1", partition: 0)])
            try bed.step([E.pageView("e5", "v1", "/about", at: 30_000)])
            #expect(try bed.hash(StreamLayout.sessionStateKey(sessionId: s1, partition: 0))["entry"] == "/")
            let hour = try bed.hash(E.hourKey)
            #expect(hour["h|entryPage|n|/"] == "2" && (hour["h|entryPage|n|/about"] ?? "0") == "0")
        }
    }
}
