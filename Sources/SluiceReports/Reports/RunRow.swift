import SluiceRollups

/// A tool's, a tool category's, an experiment's or a lab model's runs: how many, how many
/// failed, and how long they took.
public struct RunRow: Sendable, Equatable {
    public let key: String
    public let runs: Int64
    public let failures: Int64
    /// 1 − failures / runs, nil without runs.
    public var successRate: Double? { ReportMath.rate(runs - failures, of: runs) }
    /// Execution or processing time percentiles (ms), nil without times.
    public let p50: Double?
    public let p95: Double?

    init(_ entry: (value: String, metrics: RowMetrics)) {
        key = entry.value
        runs = entry.metrics.count
        failures = entry.metrics.failures
        p50 = entry.metrics.percentile(0.5)
        p95 = entry.metrics.percentile(0.95)
    }

    /// Runs and failures summed over every row of `values` (value → metric → count).
    static func totals(_ values: [String: [String: Int64]]) -> (runs: Int64, failures: Int64) {
        var runs: Int64 = 0
        var failures: Int64 = 0
        for metrics in values.values {
            runs += metrics[RollupMetric.count] ?? 0
            failures += metrics[RollupMetric.failures] ?? 0
        }
        return (runs, failures)
    }

    /// The top `limit` rows of `values` (value → metric → count), most runs first.
    static func top(_ values: [String: [String: Int64]], limit: Int) -> [RunRow] {
        ReportMath.rows(values).prefix(limit).map(RunRow.init)
    }

    /// `rows` as a table whose first column is `name` and whose times are `timeName` ("Execution", "Processing").
    static func table(title: String, name: String, timeName: String, _ rows: [RunRow]) -> ReportTable {
        ReportTable(
            title: title, columns: [name, "Runs", "Failures", "Success rate", "\(timeName) p50", "\(timeName) p95"],
            rows: rows.map { [.text($0.key), .count($0.runs), .count($0.failures), .rate($0.successRate), .milliseconds($0.p50), .milliseconds($0.p95)] })
    }
}
