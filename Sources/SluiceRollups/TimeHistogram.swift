/// Fixed log-scale buckets for durations in milliseconds, so histograms from any
/// hour, partition or worker add up: bucket 0 holds times up to 1 ms, bucket `i`
/// those in (1.25^(i-1), 1.25^i] ms, the last everything above 1.25^(last-1)
/// (about 16 minutes). A percentile read from it is at most 25% high.
public enum TimeHistogram {
    /// Growth from one bucket's upper bound to the next.
    public static let growth = 1.25
    /// The last bucket's index.
    public static let lastIndex = 62

    /// Every bucket's upper bound, by repeated multiplication (the same on every machine).
    static let upperBounds: [Double] = {
        var bounds = [1.0]
        while bounds.count <= lastIndex { bounds.append(bounds.last! * growth) }
        return bounds
    }()

    /// The bucket holding `milliseconds` (negative and non-finite times count as 0).
    public static func index(of milliseconds: Double) -> Int {
        guard milliseconds > 1 else { return 0 }
        guard milliseconds.isFinite else { return lastIndex }
        // The first bound at or above the time: a binary search over 63 bounds.
        var low = 1
        var high = lastIndex
        while low < high {
            let middle = (low + high) / 2
            if upperBounds[middle] >= milliseconds { high = middle } else { low = middle + 1 }
        }
        return low
    }

    /// The largest time bucket `index` holds (the last holds every larger one too).
    public static func upperBound(of index: Int) -> Double { upperBounds[min(max(index, 0), lastIndex)] }
    /// The `fraction` (0...1) percentile of `counts` (bucket index → count), as the
    /// upper bound of the bucket it falls in; nil when empty.
    public static func percentile(_ fraction: Double, of counts: [Int: Int64]) -> Double? {
        let total = counts.values.reduce(0, +)
        guard total > 0 else { return nil }
        let rank = Int64((fraction * Double(total)).rounded(.up))
        var seen: Int64 = 0
        for index in counts.keys.sorted() {
            seen += counts[index]!
            if seen >= max(rank, 1) { return upperBound(of: index) }
        }
        return upperBound(of: counts.keys.max()!)
    }
}
