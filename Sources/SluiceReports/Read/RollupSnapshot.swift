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
    /// The buckets of `range.totalsSpans`, by start.
    public let totalBuckets: [RollupSnapshot]
    /// The series' buckets (hours for an hourly series, else the totals'), by start; empty
    /// when no series was asked for.
    public let seriesBuckets: [RollupSnapshot]
    /// `totalBuckets`' counts added up.
    public let totals: RollupCounts

    /// The read of `range`: its buckets, the totals added up here.
    public init(range: ReportRange, totalBuckets: [RollupSnapshot], seriesBuckets: [RollupSnapshot]) {
        self.init(range: range, totalBuckets: totalBuckets, seriesBuckets: seriesBuckets, totals: RollupCounts.sum(of: totalBuckets))
    }

    /// The read of `range`: its buckets and `totals`, which must be `totalBuckets`' counts
    /// added up (`RollupReader` adds the sums its cache kept).
    init(range: ReportRange, totalBuckets: [RollupSnapshot], seriesBuckets: [RollupSnapshot], totals: RollupCounts) {
        self.range = range
        self.totalBuckets = totalBuckets
        self.seriesBuckets = seriesBuckets
        self.totals = totals
    }

    /// The series' buckets grouped by `range.seriesSlots`: an hour bucket in the slot it
    /// starts within, a day bucket in the day of its date.
    public var seriesGroups: [[RollupSnapshot]] {
        let slots = range.seriesSlots
        var groups = Array(repeating: [RollupSnapshot](), count: slots.count)
        var next = slots.startIndex
        for snapshot in seriesBuckets {
            let bucket = snapshot.bucket
            if bucket.granularity == .day {
                let day = CivilDate(dayNumber: Int(bucket.start / RollupBucket.Granularity.day.milliseconds)).dayNumber - range.first.dayNumber
                if groups.indices.contains(day) { groups[day].append(snapshot) }
                continue
            }
            // Hour buckets come by start, as the slots do.
            while next < slots.endIndex, slots[next].end <= bucket.start { next += 1 }
            if next < slots.endIndex, slots[next].start <= bucket.start { groups[next].append(snapshot) }
        }
        return groups
    }
}
