import SluiceRollups

/// A breakdown row's metrics (`RollupMetric`), read once from the merged counts.
struct RowMetrics {
    var count: Int64 = 0
    var failures: Int64 = 0
    var satisfied: Int64 = 0
    var unsatisfied: Int64 = 0
    var clientErrors: Int64 = 0
    var serverErrors: Int64 = 0
    /// `TimeHistogram` bucket index → count.
    var times: [Int: Int64] = [:]

    init(_ metrics: [String: Int64]) {
        for (metric, value) in metrics {
            switch metric {
            case RollupMetric.count: count = value
            case RollupMetric.failures: failures = value
            case RollupMetric.satisfied: satisfied = value
            case RollupMetric.unsatisfied: unsatisfied = value
            case RollupMetric.clientErrors: clientErrors = value
            case RollupMetric.serverErrors: serverErrors = value
            default:
                if metric.first == "t", let index = Int(metric.dropFirst()) { times[index, default: 0] += value }
            }
        }
    }

    /// The `fraction` percentile of the row's times (`TimeHistogram.percentile`: the upper
    /// bound of the bin it falls in, at most 25% high), nil without times.
    func percentile(_ fraction: Double) -> Double? { TimeHistogram.percentile(fraction, of: times) }

    /// 1 − failures / count, nil without runs.
    var successRate: Double? { ReportMath.rate(count - failures, of: count) }
}

/// The arithmetic every report shares.
enum ReportMath {
    /// `part / whole`, nil when `whole` is 0.
    static func rate(_ part: Int64, of whole: Int64) -> Double? { whole == 0 ? nil : Double(part) / Double(whole) }

    /// A dimension's rows with their metrics, largest count first (then by value).
    static func rows(_ values: [String: [String: Int64]]) -> [(value: String, metrics: RowMetrics)] {
        values.map { ($0.key, RowMetrics($0.value)) }.sorted { a, b in
            a.metrics.count != b.metrics.count ? a.metrics.count > b.metrics.count : a.value < b.value
        }
    }

    /// The two parts of a two-part value (tool and error message, endpoint and method, event type and name).
    static func split(_ value: String) -> (String, String) {
        let parts = value.split(separator: RollupDelta.valueSeparator, maxSplits: 1, omittingEmptySubsequences: false)
        return (String(parts[0]), parts.count == 2 ? String(parts[1]) : "")
    }
}
