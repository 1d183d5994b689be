import SluiceRollups

/// The buckets of one granularity starting in `from ..< to` (epoch ms): what one find reads.
public struct BucketSpan: Sendable, Hashable {
    public let granularity: RollupBucket.Granularity
    public let from: Int64
    public let to: Int64
}

extension ReportRange {
    /// Whether the whole UTC days inside the range are read as day buckets: when every day
    /// boundary is a UTC midnight, or the range is longer than two days (then a day point
    /// of the series in another zone is the UTC day of that date, with the edge hours of
    /// the first and last local days; the totals stay exact to the hour). A long range in a
    /// zone other than UTC so reads at most two days of hour buckets, never one per hour.
    var readsDays: Bool { isUTCAligned || days > Self.hourlySeriesMaxDays }

    /// The whole UTC days inside `bucketStart ..< bucketEnd` when `readsDays`; an empty
    /// span at `bucketEnd` otherwise.
    var daySpan: (from: Int64, to: Int64) {
        let day = RollupBucket.Granularity.day.milliseconds
        let from = RollupBucket(site: nil, granularity: .day, containing: bucketStart + day - 1).start
        let to = RollupBucket(site: nil, granularity: .day, containing: bucketEnd).start
        return readsDays && from < to ? (from, to) : (bucketEnd, bucketEnd)
    }

    /// Where the totals come from: the day span's day buckets and the hour buckets before
    /// and after it, each span non-empty.
    public var totalsSpans: [BucketSpan] {
        let days = daySpan
        return [
            BucketSpan(granularity: .hour, from: bucketStart, to: days.from), BucketSpan(granularity: .day, from: days.from, to: days.to),
            BucketSpan(granularity: .hour, from: days.to, to: bucketEnd),
        ].filter { $0.from < $0.to }
    }

    /// What a read fetches: the totals' spans, and for an hourly series the hours inside
    /// the day span too (points of the series only: `countsInTotals` is false for them, so
    /// the reader fetches their totals without the breakdowns' rows).
    public func readSpans(series: Bool) -> [BucketSpan] {
        guard series, seriesGranularity == .hour else { return totalsSpans }
        let days = daySpan
        return (totalsSpans + [BucketSpan(granularity: .hour, from: days.from, to: days.to)]).filter { $0.from < $0.to }
    }

    /// Whether the buckets of `span`, one of those `readSpans` returned, count in the
    /// totals (else they are points of the series only).
    func countsInTotals(_ span: BucketSpan) -> Bool {
        countsInTotals(RollupBucket(site: "", granularity: span.granularity, start: span.from))
    }

    /// Whether `bucket`, one of those `readSpans` fetched, counts in the totals.
    func countsInTotals(_ bucket: RollupBucket) -> Bool {
        let days = daySpan
        return bucket.granularity == .day || bucket.start < days.from || bucket.start >= days.to
    }

    /// Whether `bucket`, one of those `readSpans(series: true)` fetched, is a point of the series.
    func countsInSeries(_ bucket: RollupBucket) -> Bool {
        seriesGranularity == .hour ? bucket.granularity == .hour : countsInTotals(bucket)
    }
}
