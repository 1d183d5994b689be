import Foundation
import SluiceRedis
import SluiceRollups
import Synchronization
import Testing

@testable import SluiceReports

/// Closed buckets' reads are reused (only a rebuild changes them); open buckets' reads
/// until the site's roll-up generation is raised (after every write of its buckets); a
/// view is served the kept read while it is servable and the read is made again behind it.
@Suite struct RollupCacheTests {
    static let hour = RollupBucket.Granularity.hour.milliseconds
    static let day = RollupBucket.Granularity.day.milliseconds

    /// Reads that count themselves: the nth read gives n buckets, so a view's answer says
    /// which read it came from.
    final class CountingReads: Sendable {
        let made = Mutex(0)

        var read: @Sendable () throws(ReportError) -> RollupCache.Read {
            {
                let n = self.made.withLock { made in
                    made += 1
                    return made
                }
                let bucket = RollupSnapshot(
                    bucket: RollupBucket(site: "", granularity: .day, start: 0), counts: RollupCounts(), visitors: 0, visitorsHLL: nil)
                return (Array(repeating: bucket, count: n), 10)
            }
        }

        var count: Int { made.withLock { $0 } }
    }

    /// A clock the test sets: the cache stamps background reads with it.
    final class TestClock: Sendable {
        let time: Mutex<Int64>

        init(_ time: Int64 = 0) { self.time = Mutex(time) }

        var now: Int64 {
            get { time.withLock { $0 } }
            set { time.withLock { $0 = newValue } }
        }

        var read: @Sendable () -> Int64 { { self.now } }
    }

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
            // The clock stands still: only the generations make the open day's read due.
            let clock = TestClock(RollupCache.wallClock())
            let today = CivilDate(dayNumber: Int(clock.now / Self.day))
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
            let cache = RollupCache(lifetimeSeconds: 300, windowSeconds: 172_800, clock: clock.read)
            let cached = ReportSource(store: bed.store, redis: bed.redis, cache: cache)
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
            cache.settle()
            #expect(try pageViews(cached) == 12)
            // The site's own: the view after it is served the kept read and the open day is
            // read again behind it; the closed day's read is still reused until it expires
            // (only a rebuild rewrites it).
            try RollupGenerations.raise(["shop"], redis: bed.redis)
            #expect(try pageViews(cached) == 12)
            cache.settle()
            #expect(try pageViews(cached) == 13)
            #expect(try pageViews(uncached) == 23)
            #expect(try pageViews(bed.source) == 23)
        }
    }

    /// A read of open buckets is served a minute at most whatever the generation says (a
    /// writer that died between its write and a new generation hides nothing longer),
    /// closed buckets' for the whole lifetime; past half of that, or at a newer generation,
    /// the view gets the kept read and the read is made again in the background, once.
    @Test func keptReadsAreServedWithinTheirLifetimeAndMadeAgainBehindTheView() throws {
        let clock = TestClock()
        let cache = RollupCache(lifetimeSeconds: 300, windowSeconds: 3600, clock: clock.read)
        let open = RollupCache.Key(site: "", span: BucketSpan(granularity: .hour, from: 0, to: Self.hour), options: "{}")
        let closed = RollupCache.Key(site: "", span: BucketSpan(granularity: .day, from: 0, to: Self.day), options: "{}")
        let reads = CountingReads()
        func view(_ key: RollupCache.Key, _ generation: String? = nil, at now: Int64) throws -> Int {
            clock.now = now
            let got = try cache.read(key, generation: generation, now: now, read: reads.read).snapshots.count
            cache.settle()
            return got
        }
        // The first view reads; the next ones are served it while it is current and young.
        #expect(try view(open, "g1", at: 0) == 1)
        #expect(try view(open, "g1", at: 29_999) == 1)
        #expect(reads.count == 1)
        // A newer generation: served the kept read, read again behind it (kept at the time its find started).
        #expect(try view(open, "g2", at: 1_000) == 1)
        #expect(reads.count == 2)
        #expect(try view(open, "g2", at: 2_000) == 2)
        // Past half the minute: served, and made again.
        #expect(try view(open, "g2", at: 31_000) == 2)
        #expect(try view(open, "g2", at: 31_001) == 3)
        // Past the minute since that read: not served, read while the view waits.
        #expect(try view(open, "g2", at: 91_000) == 4)
        // Closed buckets: five minutes, made again past two and a half.
        #expect(try view(closed, at: 0) == 5)
        #expect(try view(closed, at: 149_999) == 5)
        #expect(try view(closed, at: 150_000) == 5)
        #expect(try view(closed, at: 150_001) == 6)
        #expect(try view(closed, at: 450_001) == 7)
        // An open key's read is not served to a closed view of the same key.
        #expect(try view(open, at: 91_001) == 8)
        #expect(RollupCache(lifetimeSeconds: 10, windowSeconds: 3600).openLifetime == 10_000)
    }

    /// Views while a read is being made again do not make it again, a failed read leaves
    /// the kept one in place, and one too big to keep takes it away.
    @Test func aReadIsMadeAgainOnceAtATimeAndAFailureKeepsTheOldOne() throws {
        let clock = TestClock()
        let cache = RollupCache(lifetimeSeconds: 300, windowSeconds: 3600, clock: clock.read)
        let key = RollupCache.Key(site: "", span: BucketSpan(granularity: .hour, from: 0, to: Self.hour), options: "{}")
        let reads = CountingReads()
        #expect(try cache.read(key, generation: "g1", now: 0, read: reads.read).snapshots.count == 1)
        // Held until the five views are in; a second read made meanwhile would not wait long.
        let gate = DispatchSemaphore(value: 0)
        let slow: @Sendable () throws(ReportError) -> RollupCache.Read = {
            _ = gate.wait(timeout: .now() + 5)
            return try reads.read()
        }
        for now in 1...5 { #expect(try cache.read(key, generation: "g2", now: Int64(now), read: slow).snapshots.count == 1) }
        gate.signal()
        cache.settle()
        #expect(reads.count == 2)
        #expect(try cache.read(key, generation: "g2", now: 6, read: reads.read).snapshots.count == 2)
        let failing: @Sendable () throws(ReportError) -> RollupCache.Read = { () throws(ReportError) in
            throw ReportError.malformedDocument(id: "x", problem: "test")
        }
        #expect(try cache.read(key, generation: "g3", now: 7, read: failing).snapshots.count == 2)
        cache.settle()
        #expect(try cache.read(key, generation: "g3", now: 8, read: reads.read).snapshots.count == 2)
        cache.settle()
        #expect(reads.count == 3)
        let huge: @Sendable () throws(ReportError) -> RollupCache.Read = { () throws(ReportError) in
            (try reads.read().snapshots, cache.capacityBytes)
        }
        #expect(try cache.read(key, generation: "g4", now: 9, read: huge).snapshots.count == 3)
        cache.settle()
        #expect(try cache.read(key, generation: "g4", now: 10, read: reads.read).snapshots.count == 5)
    }

    @Test func theLeastRecentlyUsedReadsGoPastTheCapacity() throws {
        let cache = RollupCache(lifetimeSeconds: 300, windowSeconds: 3600, capacityBytes: 400)
        let spans = (0..<3).map { BucketSpan(granularity: .day, from: Int64($0) * Self.day, to: Int64($0 + 1) * Self.day) }
        let reads = CountingReads()
        func read(bytes: Int) -> @Sendable () throws(ReportError) -> RollupCache.Read {
            { () throws(ReportError) in (try reads.read().snapshots, bytes) }
        }
        /// Whether `key` was kept: a view at `now` makes no read (a miss reads and keeps it, as a view does).
        func kept(_ key: RollupCache.Key, at now: Int64) throws -> Bool {
            let before = reads.count
            _ = try cache.read(key, now: now, read: read(bytes: 100))
            return reads.count == before
        }
        let keys = spans.map { RollupCache.Key(site: "", span: $0, options: "{}") }
        for key in keys { _ = try cache.read(key, now: 0, read: read(bytes: 100)) }
        #expect(try keys.allSatisfy { try kept($0, at: 1) })
        // A read over a quarter of the capacity is never kept.
        let big = RollupCache.Key(site: "big", span: spans[0], options: "{}")
        _ = try cache.read(big, now: 3, read: read(bytes: 101))
        #expect(try !kept(big, at: 4))
        _ = try cache.read(keys[0], now: 4, read: read(bytes: 100))
        // That view kept `big` at 100 bytes (the cache is full): one more pushes out the least recently used, keys[1].
        _ = try cache.read(RollupCache.Key(site: "a", span: spans[0], options: "{}"), now: 5, read: read(bytes: 100))
        #expect(try !kept(keys[1], at: 7))
        #expect(try kept(keys[0], at: 8))
        // Expired reads are not served.
        #expect(try !kept(keys[0], at: 400_000))
    }
}
