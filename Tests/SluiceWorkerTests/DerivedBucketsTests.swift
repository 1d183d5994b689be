import SluiceCore
import SluiceRollups
import Testing

@testable import SluiceWorker

/// Counting each event in its hour only and making each day from its hours gives
/// what counting every event in both its open hour and its open day gives.
@Suite struct DerivedBucketsTests {
    /// 2025-12-01 00:00 UTC; the clock is nine and a half hours later and buckets take changes for an
    /// hour after their end, so hours 8 and 9 are open, hour 1 is closed (its day is
    /// open) and the day before is closed.
    static let day: Int64 = 1_764_547_200_000
    static let now = day + 9 * 3_600_000 + 1_800_000
    static let window: Int64 = 3_600_000

    static func facts(_ kind: EventKind, _ json: String, at time: Int64, bot: Bool = false, path: String? = nil) throws -> EventFacts {
        EventFacts(kind: kind, fields: try #require(try JSONParser.parse(json).objectValue), timestamp: time, isBot: bot, path: path)
    }

    /// Events of every sort across two open hours, a closed hour and a closed day, with the human visitor of each.
    static func events() throws -> [(facts: EventFacts, visitor: String?)] {
        let hour: Int64 = 3_600_000
        return [
            (try facts(.pageview, "{}", at: day + 8 * hour + 5, path: "/a"), "v1"),
            (try facts(.pageview, "{}", at: day + 8 * hour + 900_000, path: "/b"), "v2"),
            (try facts(.pageview, "{}", at: day + 9 * hour, bot: true, path: "/a"), nil),
            (try facts(.chat, #"{"agentId":"support","model":"m","language":"de","responseTime":120}"#, at: day + 9 * hour + 7), "v1"),
            (try facts(.tool, #"{"toolName":"grep","category":"search","success":false,"errorMessage":"boom"}"#, at: day + 9 * hour + 8), "v3"),
            (try facts(.pageview, #"{"pageviewId":"p1","timeSpent":3000}"#, at: day + 9 * hour + 9, path: "/a"), nil),
            (try facts(.feedback, #"{"interactionId":"c1","satisfied":true}"#, at: day + 9 * hour + 10), nil),
            (try facts(.event, #"{"eventType":"ui","eventName":"click"}"#, at: day + hour + 11), "v4"),
            (try facts(.pageview, #"{"siteId":"docs"}"#, at: day + 8 * hour + 12, path: "/c"), "v5"),
            (try facts(.event, #"{"eventType":"ui","eventName":"late"}"#, at: day - hour), "v6"),
        ]
    }

    @Test func daysMadeFromHoursCountAsEveryEventInBoth() throws {
        var buckets = DerivedBuckets(now: Self.now, rollupWindow: Self.window)
        var expected: [RollupBucket: (counts: RollupCounts, visitors: Set<String>)] = [:]
        var openCounts: [Int] = []
        for (facts, visitor) in try Self.events() {
            openCounts.append(buckets.add(facts, visitor: visitor))
            var delta = RollupDelta()
            RollupContribution.add(facts, to: &delta)
            let open = RollupBucket.both(site: facts.site, containing: facts.timestamp).filter { $0.isOpen(now: Self.now, window: Self.window) }
            for bucket in open where !delta.isEmpty || visitor != nil {
                expected[bucket, default: (RollupCounts(), [])].counts.add(delta)
                if let visitor { expected[bucket]!.visitors.insert(visitor) }
            }
        }
        #expect(openCounts == [2, 2, 2, 2, 2, 2, 2, 1, 2, 0])
        let changes = buckets.changes
        #expect(Set(changes.map(\.bucket)).count == changes.count, "one change per bucket")
        #expect(Set(changes.map(\.bucket)) == Set(expected.keys))
        for change in changes {
            var counts = RollupCounts()
            counts.add(change.delta)
            let want = try #require(expected[change.bucket])
            #expect(counts.differences(from: want.counts) == [], "\(change.bucket.name)")
            #expect(change.visitors == want.visitors, "\(change.bucket.name)")
        }
        let day = try #require(changes.first { $0.bucket == RollupBucket(site: nil, granularity: .day, containing: Self.day) })
        #expect(day.delta.increments["h|events"] == 5 && day.delta.increments["h|userEvent|n|ui\u{1F}click"] == 1)
        #expect(day.visitors == ["v1", "v2", "v3", "v4"])
    }

    @Test func nothingCountedMakesNoBucket() throws {
        var buckets = DerivedBuckets(now: Self.now, rollupWindow: Self.window)
        buckets.add(try Self.facts(.feedback, #"{"interactionId":"c1","satisfied":true}"#, at: Self.day + 9 * 3_600_000), visitor: nil)
        buckets.add(try Self.facts(.pageview, #"{"pageviewId":"p1","scrollDepth":50}"#, at: Self.day + 9 * 3_600_000), visitor: nil)
        #expect(buckets.hours.isEmpty && buckets.changes.isEmpty)
    }
}
