import SluiceRollups
import Testing

@testable import SluiceReports

/// Unique visitors of groups of buckets, counted by real Redis.
@Suite struct VisitorCounterTests {
    func snapshot(_ hour: Int64, _ ids: [String], sketch: [UInt8]?) -> RollupSnapshot {
        RollupSnapshot(
            bucket: RollupBucket(site: "shop", granularity: .hour, start: hour * 3_600_000), counts: RollupCounts(), visitors: Int64(ids.count),
            visitorsHLL: sketch)
    }

    @Test func loneBucketsAreExactAndUnionsAreEstimates() throws {
        try ReportsTestBed.withFresh { bed in
            let a = ReportsTestBed.ids("u", 0..<1000)
            let b = ReportsTestBed.ids("u", 500..<1500)
            let c = ReportsTestBed.ids("u", 1500..<1600)
            let first = snapshot(0, a, sketch: try bed.sketch(a))
            let second = snapshot(1, b, sketch: try bed.sketch(b))
            let third = snapshot(2, c, sketch: try bed.sketch(c))
            let empty = snapshot(3, [], sketch: nil)
            let counts = try VisitorCounter(redis: bed.redis).count([[first, second, third], [second], [empty, third], [], [first, second], [first, empty]])
            #expect(abs(Double(counts[0].value) - 1600) / 1600 < 0.02, "\(counts[0])")
            #expect(counts[0].isEstimate)
            // A bucket alone, or alone with visitors, is its own exact count.
            #expect(counts[1] == VisitorCount(value: 1000, isEstimate: false))
            #expect(counts[2] == VisitorCount(value: 100, isEstimate: false))
            #expect(counts[3] == VisitorCount(value: 0, isEstimate: false))
            #expect(abs(Double(counts[4].value) - 1500) / 1500 < 0.02, "\(counts[4])")
            #expect(counts[4].isEstimate)
            #expect(counts[5] == VisitorCount(value: 1000, isEstimate: false))
            #expect(try bed.redisKeys() == [])
        }
    }

    @Test func bucketsWithoutSketchesBoundTheUnionFromBelow() throws {
        try ReportsTestBed.withFresh { bed in
            let counts = try VisitorCounter(redis: bed.redis).count([
                [snapshot(0, ReportsTestBed.ids("u", 0..<30), sketch: nil), snapshot(1, ReportsTestBed.ids("u", 0..<20), sketch: nil)]
            ])
            #expect(counts == [VisitorCount(value: 30, isEstimate: true)])
        }
    }

    @Test func sketchesGoToRedisABatchAtATime() throws {
        try ReportsTestBed.withFresh { bed in
            // Two and a half batches of hours, 20 visitors each, every other hour sharing half its visitors with the one before.
            let hours = (0..<Int64(VisitorCounter.sketchesPerBatch * 5 / 2)).map { hour in
                let ids = ReportsTestBed.ids("u", Int(hour) * 10..<Int(hour) * 10 + 20)
                return (hour, ids)
            }
            let snapshots = try hours.map { snapshot($0.0, $0.1, sketch: try bed.sketch($0.1)) }
            let distinct = Set(hours.flatMap(\.1)).count
            let counts = try VisitorCounter(redis: bed.redis).count([snapshots, Array(snapshots.suffix(70)), Array(snapshots.prefix(3))])
            #expect(abs(Double(counts[0].value) - Double(distinct)) / Double(distinct) < 0.02, "\(counts[0]) of \(distinct)")
            #expect(abs(Double(counts[1].value) - 710) / 710 < 0.02, "\(counts[1])")
            #expect(abs(counts[2].value - 40) <= 1 && counts[2].isEstimate, "\(counts[2])")
            // Neither a sketch nor an accumulator is left behind.
            #expect(try bed.redisKeys() == [])
        }
    }

    @Test func aBucketWithoutItsSketchStillBoundsAMixedGroup() throws {
        try ReportsTestBed.withFresh { bed in
            let a = ReportsTestBed.ids("u", 0..<1000)
            let b = ReportsTestBed.ids("u", 500..<1500)
            let sketched = [snapshot(0, a, sketch: try bed.sketch(a)), snapshot(1, b, sketch: try bed.sketch(b))]
            let unsketched = snapshot(2, ReportsTestBed.ids("w", 0..<3000), sketch: nil)
            let counts = try VisitorCounter(redis: bed.redis).count([
                sketched + [unsketched], sketched + [snapshot(3, ReportsTestBed.ids("w", 0..<10), sketch: nil)],
            ])
            // The sketched union (about 1,500) is less than the unsketched bucket's own 3,000 visitors.
            #expect(counts[0] == VisitorCount(value: 3000, isEstimate: true))
            #expect(abs(Double(counts[1].value) - 1500) / 1500 < 0.02, "\(counts[1])")
            #expect(try bed.redisKeys() == [])
        }
    }

    @Test func unionsAreKeptAndSentInsteadOfTheirBucketsSketches() throws {
        try ReportsTestBed.withFresh { bed in
            // With a one-hour window, hours that ended an hour before 10:00 are closed: hour 9 is open.
            let cache = RollupCache(lifetimeSeconds: 300, windowSeconds: 3600)
            let now: Int64 = 10 * 3_600_000
            let first = snapshot(0, ReportsTestBed.ids("u", 0..<1000), sketch: try bed.sketch(ReportsTestBed.ids("u", 0..<1000)))
            let second = snapshot(1, ReportsTestBed.ids("u", 500..<1500), sketch: try bed.sketch(ReportsTestBed.ids("u", 500..<1500)))
            let open = snapshot(9, ReportsTestBed.ids("u", 1400..<1600), sketch: try bed.sketch(ReportsTestBed.ids("u", 1400..<1600)))
            let groups = [[first, second, open], [first, second]]
            let counter = VisitorCounter(redis: bed.redis, cache: cache)
            let counts = try counter.count(groups, now: now)
            #expect(abs(Double(counts[0].value) - 1600) / 1600 < 0.02 && counts[0].isEstimate, "\(counts[0])")
            #expect(abs(Double(counts[1].value) - 1500) / 1500 < 0.02 && counts[1].isEstimate, "\(counts[1])")
            // The same counts as the buckets' own sketches give, and the closed hours' union kept with its count.
            #expect(try VisitorCounter(redis: bed.redis).count(groups, now: now) == counts)
            #expect(cache.union(of: [first.bucket, second.bucket], now: now)?.count == counts[1].value)
            #expect(cache.union(of: [open.bucket], now: now) == nil)
            // Each group's own union is kept too: the same sketches again (a view between two
            // writes) take its count without Redis; a kept count of 42 shows.
            let whole = [first.bucket, second.bucket, open.bucket]
            #expect(cache.union(of: whole, now: now)?.count == counts[0].value)
            let fortyTwo = RollupCache.KeptUnion(
                sketch: try bed.sketch(ReportsTestBed.ids("x", 0..<42)), count: 42, inputs: VisitorCounter.digest([first, second, open]))
            cache.keep(fortyTwo, of: whole, now: now)
            #expect(try counter.count([[first, second, open]], now: now + 1) == [VisitorCount(value: 42, isEstimate: true)])
            // A write to the open hour (a new read of it) misses the group's union; the closed
            // hours' kept union is sent instead of their sketches: a kept union of 300 other
            // visitors shows, alone and beside the open hour's 201.
            let written = snapshot(9, ReportsTestBed.ids("u", 1400..<1601), sketch: try bed.sketch(ReportsTestBed.ids("u", 1400..<1601)))
            let other = RollupCache.KeptUnion(
                sketch: try bed.sketch(ReportsTestBed.ids("w", 0..<300)), count: 300, inputs: VisitorCounter.digest([first, second]))
            cache.keep(other, of: [first.bucket, second.bucket], now: now)
            let later = try counter.count([[first, second, written], [first, second]], now: now + 1)
            #expect(later[1] == VisitorCount(value: 300, isEstimate: true))
            #expect(abs(later[0].value - 501) <= 10 && later[0].isEstimate, "\(later[0])")
            // A kept union made of other reads of those hours (a rebuild since) is not used.
            let rebuilt = snapshot(1, ReportsTestBed.ids("u", 500..<1400), sketch: try bed.sketch(ReportsTestBed.ids("u", 500..<1400)))
            let afterRebuild = try counter.count([[first, rebuilt]], now: now + 2)
            #expect(abs(Double(afterRebuild[0].value) - 1400) / 1400 < 0.02, "\(afterRebuild[0])")
            // Past the cache's lifetime the buckets' sketches are merged again.
            #expect(try counter.count(groups, now: now + 300_000) == counts)
            #expect(try bed.redisKeys() == [])
        }
    }
}
