import Foundation
import SluiceRedis
import SluiceRollups
import Testing

@testable import SluiceReports

/// Closed buckets' reads are reused (only a rebuild changes them); open buckets' reads
/// until the site's roll-up generation is raised (after every write of its buckets).
@Suite struct RollupCacheTests {
    static let hour = RollupBucket.Granularity.hour.milliseconds
    static let day = RollupBucket.Granularity.day.milliseconds

    @Test func aSpanSplitsWhereItsBucketsStopBeingClosed() {
        let cache = RollupCache(lifetimeSeconds: 300, windowSeconds: 7200)
        // At 10:30 with a two-hour window, hours ending by 08:30 are closed: those starting at 07:00 or before.
        let midnight: Int64 = 20_000 * Self.day
        let now = midnight + 10 * Self.hour + 30 * 60_000
        let hours = BucketSpan(granularity: .hour, from: midnight, to: midnight + Self.day)
        let (closed, open) = cache.split(hours, now: now)
        #expect(closed == BucketSpan(granularity: .hour, from: midnight, to: midnight + 8 * Self.hour))
        #expect(open == BucketSpan(granularity: .hour, from: midnight + 8 * Self.hour, to: midnight + Self.day))
        // Days: yesterday ended 10.5 hours ago, past the window, so closed; today is open.
        let days = BucketSpan(granularity: .day, from: midnight - 5 * Self.day, to: midnight + Self.day)
        #expect(cache.split(days, now: now).closed == BucketSpan(granularity: .day, from: midnight - 5 * Self.day, to: midnight))
        #expect(cache.split(days, now: now).open == BucketSpan(granularity: .day, from: midnight, to: midnight + Self.day))
        // With a two-day window, yesterday and the day before are open too.
        let twoDays = RollupCache(lifetimeSeconds: 300, windowSeconds: 172_800)
        #expect(twoDays.split(days, now: now).open == BucketSpan(granularity: .day, from: midnight - 2 * Self.day, to: midnight + Self.day))
        // Wholly closed, wholly open.
        #expect(cache.split(BucketSpan(granularity: .day, from: 0, to: Self.day), now: now).open == nil)
        #expect(cache.split(BucketSpan(granularity: .hour, from: now, to: now + Self.hour), now: now).closed == nil)
    }

    @Test func closedBucketsAreReadOnceOpenOnesAgainAfterEachWrite() throws {
        try ReportsTestBed.withFresh { bed in
            let today = CivilDate(dayNumber: Int(RollupCache.now() / Self.day))
            let range = try ReportRange(first: today.adding(days: -30), last: today.adding(days: -1), timeZone: TimeZone(identifier: "UTC")!)
            let closedDay = Int64(today.adding(days: -30).dayNumber) * Self.day
            let openDay = Int64(today.adding(days: -1).dayNumber) * Self.day
            func write(closed: Int64, open: Int64) throws {
                try bed.write(.day, closedDay) { $0.add(.human, total: "pageViews", by: closed) }
                try bed.write(.day, openDay) { $0.add(.human, total: "pageViews", by: open) }
            }
            func pageViews(_ source: ReportSource) throws -> Double? {
                try source.overview(site: "shop", range: range).pageViews.current
            }
            let cached = ReportSource(store: bed.store, redis: bed.redis, cache: RollupCache(lifetimeSeconds: 300, windowSeconds: 172_800))
            let uncached = ReportSource(store: bed.store, redis: bed.redis, cache: RollupCache(lifetimeSeconds: 0, windowSeconds: 172_800))
            try write(closed: 10, open: 1)
            #expect(try pageViews(cached) == 11)
            #expect(try pageViews(uncached) == 11)
            // No writer has given the site a generation (older workers): open buckets are read every time.
            try write(closed: 20, open: 2)
            #expect(try pageViews(cached) == 12)
            // With one, the open day's read is reused until the writer gives a new one.
            try RollupGenerations.raise(["shop"], redis: bed.redis)
            #expect(try pageViews(cached) == 12)
            try write(closed: 20, open: 3)
            #expect(try pageViews(cached) == 12)
            // Another site's new generation leaves this one's reads alone.
            try RollupGenerations.raise(["other"], redis: bed.redis)
            #expect(try pageViews(cached) == 12)
            // The site's own: the open day is read again; the closed day's read is still
            // reused until it expires (only a rebuild rewrites it).
            try RollupGenerations.raise(["shop"], redis: bed.redis)
            #expect(try pageViews(cached) == 13)
            #expect(try pageViews(uncached) == 23)
            #expect(try pageViews(bed.source) == 23)
        }
    }

    /// A read of open buckets is reused a minute at most whatever the generation says (a
    /// writer that died between its write and a new generation hides nothing longer);
    /// closed buckets' for the whole lifetime.
    @Test func openReadsAreReusedAMinuteAtMost() {
        let cache = RollupCache(lifetimeSeconds: 300, windowSeconds: 3600)
        let open = RollupCache.Key(site: "", span: BucketSpan(granularity: .hour, from: 0, to: Self.hour), options: "{}")
        let closed = RollupCache.Key(site: "", span: BucketSpan(granularity: .day, from: 0, to: Self.day), options: "{}")
        cache.keep([], bytes: 10, for: open, generation: "g1", now: 0)
        cache.keep([], bytes: 10, for: closed, now: 0)
        #expect(cache.snapshots(open, generation: "g1", now: 59_999) != nil)
        #expect(cache.snapshots(open, generation: "g2", now: 1) == nil)
        #expect(cache.snapshots(open, generation: "g1", now: 60_000) == nil)
        #expect(cache.snapshots(closed, now: 299_999) != nil)
        #expect(RollupCache(lifetimeSeconds: 10, windowSeconds: 3600).openLifetime == 10_000)
    }

    @Test func theLeastRecentlyUsedReadsGoPastTheCapacity() {
        let cache = RollupCache(lifetimeSeconds: 300, windowSeconds: 3600, capacityBytes: 400)
        let spans = (0..<3).map { BucketSpan(granularity: .day, from: Int64($0) * Self.day, to: Int64($0 + 1) * Self.day) }
        let keys = spans.map { RollupCache.Key(site: "", span: $0, options: "{}") }
        for key in keys { cache.keep([], bytes: 100, for: key, now: 0) }
        #expect(keys.allSatisfy { cache.snapshots($0, now: 1) != nil })
        _ = cache.snapshots(keys[0], now: 2)
        // A read over a quarter of the capacity is never kept; two more of 100 bytes push out the least recently used (keys[1]).
        cache.keep([], bytes: 101, for: RollupCache.Key(site: "big", span: spans[0], options: "{}"), now: 3)
        #expect(cache.snapshots(RollupCache.Key(site: "big", span: spans[0], options: "{}"), now: 4) == nil)
        cache.keep([], bytes: 100, for: RollupCache.Key(site: "a", span: spans[0], options: "{}"), now: 5)
        cache.keep([], bytes: 100, for: RollupCache.Key(site: "b", span: spans[0], options: "{}"), now: 6)
        #expect(cache.snapshots(keys[1], now: 7) == nil)
        #expect(cache.snapshots(keys[0], now: 7) != nil)
        // Expired reads are not used.
        #expect(cache.snapshots(keys[0], now: 300_000) == nil)
    }
}
