import Testing

@testable import SluiceRollups

@Suite struct RollupBucketTests {
    /// 2025-12-02T00:00:00Z.
    let midnight: Int64 = 1_764_633_600_000

    @Test func hoursAndDaysFloorToTheirStart() {
        let time = midnight + 5 * 3_600_000 + 1_234_567
        #expect(RollupBucket(site: nil, granularity: .hour, containing: time).start == midnight + 5 * 3_600_000)
        #expect(RollupBucket(site: nil, granularity: .day, containing: time).start == midnight)
        #expect(RollupBucket(site: "s", granularity: .hour, containing: midnight).start == midnight)
        #expect(RollupBucket(site: "s", granularity: .hour, containing: midnight - 1).start == midnight - 3_600_000)
        #expect(RollupBucket(site: nil, granularity: .day, containing: midnight + 86_399_999).start == midnight)
        #expect(RollupBucket(site: nil, granularity: .day, containing: midnight + 86_400_000).start == midnight + 86_400_000)
    }

    @Test func negativeTimesFloorDownwards() {
        #expect(RollupBucket(site: nil, granularity: .hour, containing: -1).start == -3_600_000)
        #expect(RollupBucket(site: nil, granularity: .hour, containing: -3_600_000).start == -3_600_000)
        #expect(RollupBucket(site: nil, granularity: .hour, containing: -3_600_001).start == -7_200_000)
        #expect(RollupBucket(site: nil, granularity: .day, containing: -86_400_000).start == -86_400_000)
        #expect(RollupBucket(site: nil, granularity: .day, containing: -86_400_001).start == -172_800_000)
        #expect(RollupBucket(site: nil, granularity: .hour, containing: 0).start == 0)
    }

    @Test func bothAreTheHourThenTheDay() {
        let buckets = RollupBucket.both(site: "shop", containing: midnight + 7_200_001)
        #expect(
            buckets == [
                RollupBucket(site: "shop", granularity: .hour, start: midnight + 7_200_000), RollupBucket(site: "shop", granularity: .day, start: midnight),
            ])
        #expect(buckets.map(\.end) == [midnight + 10_800_000, midnight + 86_400_000])
    }

    @Test func namesSpellGranularityStartAndSite() {
        #expect(RollupBucket(site: nil, granularity: .hour, containing: midnight).name == "h:1764633600000:")
        #expect(RollupBucket(site: "shop", granularity: .day, containing: midnight).name == "d:1764633600000:shop")
        #expect(RollupBucket(site: "a", granularity: .hour, start: -3_600_000).name == "h:-3600000:a")
        #expect(RollupBucket(site: "x", granularity: .hour, start: midnight).documentId == "h:1764633600000:x")
    }

    @Test func namesRoundTripWhateverTheSiteHolds() {
        for bucket in [
            RollupBucket(site: "", granularity: .hour, start: midnight),
            RollupBucket(site: "shop:eu|1", granularity: .day, start: midnight),
            RollupBucket(site: "ü", granularity: .hour, start: -3_600_000),
        ] {
            #expect(RollupBucket(name: Substring(bucket.name)) == bucket)
        }
    }

    @Test func malformedNamesAreRejected() {
        let names: [Substring] = ["", "h:1", "x:1764633600000:", "h:soon:", "hour:1764633600000:s", "h::s"]
        #expect(names.filter { RollupBucket(name: $0) != nil } == [])
    }

    @Test func aBucketTakesChangesUntilTheWindowAfterItsEnd() {
        let hour = RollupBucket(site: "", granularity: .hour, start: midnight)
        let window: Int64 = 600_000
        #expect(hour.isOpen(now: midnight, window: window))
        #expect(hour.isOpen(now: hour.end + window - 1, window: window))
        #expect(!hour.isOpen(now: hour.end + window, window: window))
        #expect(!hour.isOpen(now: hour.end, window: 0))
        let day = RollupBucket(site: "", granularity: .day, start: midnight)
        #expect(day.isOpen(now: hour.end + window, window: window))
    }
}
