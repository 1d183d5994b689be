import SluiceCore
import SluiceRedis
import SluiceRollups
import Testing

@testable import SluiceWorker

/// Funnel progress: a visitor enters at the first step and moves only to the next one;
/// each step reached counts once, in the buckets of the visitor's first step.
@Suite struct DerivedFunnelTests {
    typealias E = TestEvents

    static let settings = try! FunnelSettings(parsing: "checkout: /pricing > auth/signup > /paid/; tour: /a > /b")

    /// A test bed whose step counts `settings`' funnels.
    static func withFunnels(_ body: (DerivedTestBed) throws -> Void) throws {
        try DerivedTestBed.withFresh { bed in
            bed.step = DerivedStep(rollupWindowSeconds: 7200, flushIntervalSeconds: 60, funnels: settings)
            try body(bed)
        }
    }

    static func visitorKey(_ id: String) -> String { StreamLayout.visitorStateKey(visitorId: id, partition: 0) }

    static func signup(_ id: String, _ visitor: String, at offset: Int64, success: Bool = true) -> String {
        #"{"id":"\#(id)","type":"event","visitorId":"\#(visitor)","timestamp":\#(E.base + offset),"eventType":"auth","eventName":"signup","success":\#(success)}"#
    }

    /// The hour bucket's checkout rows: visitors per step 1...3 (nil: no row).
    func checkout(_ bed: DerivedTestBed, _ key: String = E.hourKey) throws -> [String?] {
        let hash = try bed.hash(key)
        return (1...3).map { hash["h|funnel|n|checkout\u{1F}\($0)"] }
    }

    @Test func stepsCountInOrderAndSkippedOrRepeatedStepsDoNothing() throws {
        try Self.withFunnels { bed in
            try bed.step([
                // v1 goes all the way (the paid page with a trailing slash matches).
                E.pageView("a1", "v1", "/pricing", at: 0), Self.signup("a2", "v1", at: 1000), E.pageView("a3", "v1", "/paid", at: 2000),
                // v2 skips the signup: the paid page does nothing; a failed signup neither.
                E.pageView("b1", "v2", "/pricing", at: 0), E.pageView("b2", "v2", "/paid", at: 1000), Self.signup("b3", "v2", at: 2000, success: false),
                // v3 signs up before the pricing page: not in the funnel's order.
                Self.signup("c1", "v3", at: 0), E.pageView("c2", "v3", "/pricing", at: 1000),
            ])
            #expect(try checkout(bed) == ["3", "1", "1"])
            #expect(try checkout(bed, E.dayKey) == ["3", "1", "1"])
            // A repeated first step does not enter again; v3's signup now counts.
            try bed.step([E.pageView("a4", "v1", "/pricing", at: 3000), Self.signup("c3", "v3", at: 4000)])
            #expect(try checkout(bed) == ["3", "2", "1"])
            let v1 = try bed.hash(Self.visitorKey("v1"))["f|checkout"]
            #expect(v1 == ["3", String(E.base), "", E.hourKey, E.dayKey].joined(separator: "\u{1F}"))
            #expect(try bed.hash(Self.visitorKey("v2"))["f|checkout"]?.hasPrefix("1\u{1F}") == true)
            #expect(try bed.hash(Self.visitorKey("v1"))["f|tour"] == nil)
        }
    }

    @Test func stepsOfOneBatchCountInTimeOrder() throws {
        try Self.withFunnels { bed in
            // Sent out of order: the signup's time is after the pricing page's.
            try bed.step([Self.signup("a2", "v1", at: 1000), E.pageView("a1", "v1", "/pricing", at: 0)])
            #expect(try checkout(bed) == ["1", "1", nil])
        }
    }

    @Test func aStepCountedLateTakesItsPlaceInTimeOrder() throws {
        try Self.withFunnels { bed in
            // The signup's batch is counted after the paid page's (a claimed batch): both count then.
            try bed.step([E.pageView("a1", "v1", "/pricing", at: 0), E.pageView("a3", "v1", "/paid", at: 2000)])
            #expect(try checkout(bed) == ["1", nil, nil])
            try bed.step([Self.signup("a2", "v1", at: 1000)])
            #expect(try checkout(bed) == ["1", "1", "1"])
            // An earlier first step counted late moves the visitor's cohort to its own hour.
            let earlier = RollupBucket(site: nil, granularity: .hour, containing: E.base - 700_000)
            let earlierKey = StreamLayout.rollupKey(bucket: earlier.name, partition: 0)
            try bed.step([E.pageView("a0", "v1", "/pricing", at: -700_000)])
            #expect(try checkout(bed) == ["0", "0", "0"])
            #expect(try checkout(bed, earlierKey) == ["1", "1", "1"])
            #expect(try bed.hash(Self.visitorKey("v1"))["f|checkout"]?.hasPrefix("3\u{1F}\(E.base - 700_000)\u{1F}") == true)
        }
    }

    @Test func aRedeliveredEntryCountsOnceAndBotsNotAtAll() throws {
        try Self.withFunnels { bed in
            let (_, messages, events) = try bed.step([E.pageView("a1", "v1", "/pricing", at: 0), Self.signup("a2", "v1", at: 1000)])
            let before = try bed.snapshot()
            #expect(try bed.acknowledge(messages, events).counted == 0)
            #expect(try bed.snapshot() == before)
            let bot = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
            try bed.step([#"{"id":"r1","type":"pageview","visitorId":"v9","timestamp":\#(E.base),"url":"https://shop.example/pricing","ua":"\#(bot)"}"#])
            #expect(try checkout(bed) == ["1", "1", nil])
            #expect(try bed.hash(Self.visitorKey("v9")).isEmpty)
        }
    }

    @Test func progressIsFlushedAndASeededVisitorGoesOn() throws {
        try Self.withFunnels { bed in
            try bed.step([E.pageView("a1", "v1", "/pricing", at: 0), Self.signup("a2", "v1", at: 1000), E.pageView("a3", "v1", "/a", at: 2000)])
            try bed.flusher().flush(redis: bed.redis)
            let document = try #require(try bed.documents(StoreCollection.visitors)["v1"])
            let funnels = try #require(document["funnels"]?.objectValue)
            #expect(StoredFields.integer(funnels["checkout"]?.objectValue?["step"]) == "2")
            #expect(StoredFields.date(funnels["checkout"]?.objectValue?["entered"]) == String(E.base))
            #expect(StoredFields.integer(funnels["tour"]?.objectValue?["step"]) == "1")
            #expect(funnels["checkout"]?.objectValue?["site"] == nil)

            // Redis forgets the visitor (expired): it continues from its document, it does not restart.
            #expect(try bed.redis.run(RedisCommand("DEL", Self.visitorKey("v1"))).integer == 1)
            try bed.step([E.pageView("a4", "v1", "/pricing", at: 3000), E.pageView("a5", "v1", "/paid", at: 4000), E.pageView("a6", "v1", "/b", at: 5000)])
            #expect(try checkout(bed) == ["1", "1", "1"])
            #expect(try bed.hash(E.hourKey)["h|funnel|n|tour\u{1F}2"] == "1")
            try bed.flusher().flush(redis: bed.redis)
            let again = try #require(try bed.documents(StoreCollection.visitors)["v1"]?["funnels"]?.objectValue)
            #expect(StoredFields.integer(again["checkout"]?.objectValue?["step"]) == "3")
            #expect(StoredFields.integer(again["tour"]?.objectValue?["step"]) == "2")
            let hour = RollupBucket(site: nil, granularity: .hour, containing: E.base).documentId
            let rollup = try #require(try bed.documents(RollupDocument.collection)[hour])
            guard case .array(let rows)? = rollup["human"]?.objectValue?["funnel"] else {
                Issue.record("no funnel rows")
                return
            }
            // checkout 1, 2, 3 and tour 1, 2; step 3 read back as the row checkout / 3.
            #expect(rows.count == 5)
            #expect(RollupDocument.counts(of: rollup).rows[.human]?["funnel"]?["checkout\u{1F}3"]?["n"] == 1)
        }
    }

    @Test func withoutFunnelsNothingIsKept() throws {
        try DerivedTestBed.withFresh { bed in
            try bed.step([E.pageView("a1", "v1", "/pricing", at: 0), Self.signup("a2", "v1", at: 1000)])
            #expect(try bed.hash(E.hourKey).keys.contains { $0.contains("funnel") } == false)
            #expect(try bed.hash(Self.visitorKey("v1")).keys.contains { $0.hasPrefix("f|") } == false)
        }
    }
}
