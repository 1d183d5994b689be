import SluiceRollups

/// One roll-up bucket as read from its `rollups` document.
public struct RollupSnapshot: Sendable {
    public let bucket: RollupBucket
    public let counts: RollupCounts
    /// The bucket's unique human visitors (`human.visitors`), exact for the bucket.
    public let visitors: Int64
    /// The Redis HyperLogLog of those visitors, nil when there were none (or it was not read).
    public let visitorsHLL: [UInt8]?

    /// A bucket with its counts, visitor count and sketch.
    public init(bucket: RollupBucket, counts: RollupCounts, visitors: Int64, visitorsHLL: [UInt8]?) {
        self.bucket = bucket
        self.counts = counts
        self.visitors = visitors
        self.visitorsHLL = visitorsHLL
    }
}

/// A range's roll-ups: the buckets its totals come from, those its series comes from
/// (the same ones unless the series is hourly over day buckets), and the totals.
public struct RollupRead: Sendable {
    public let range: ReportRange
    /// Buckets of `range.totalsGranularity`, by start.
    public let totalBuckets: [RollupSnapshot]
    /// Buckets of `range.seriesBucketGranularity`, by start; empty when no series was asked for.
    public let seriesBuckets: [RollupSnapshot]
    /// `totalBuckets`' counts added up.
    public let totals: RollupCounts

    /// The read of `range`: its buckets, the totals added up here.
    public init(range: ReportRange, totalBuckets: [RollupSnapshot], seriesBuckets: [RollupSnapshot]) {
        self.range = range
        self.totalBuckets = totalBuckets
        self.seriesBuckets = seriesBuckets
        var totals = RollupCounts()
        for snapshot in totalBuckets { totals.merge(snapshot.counts) }
        self.totals = totals
    }

    /// The series' buckets grouped by `range.seriesSlots` (a slot's buckets start within it).
    public var seriesGroups: [[RollupSnapshot]] {
        var groups: [[RollupSnapshot]] = []
        var next = seriesBuckets.startIndex
        for slot in range.seriesSlots {
            while next < seriesBuckets.endIndex, seriesBuckets[next].bucket.start < slot.start { next += 1 }
            var group: [RollupSnapshot] = []
            while next < seriesBuckets.endIndex, seriesBuckets[next].bucket.start < slot.end {
                group.append(seriesBuckets[next])
                next += 1
            }
            groups.append(group)
        }
        return groups
    }
}
