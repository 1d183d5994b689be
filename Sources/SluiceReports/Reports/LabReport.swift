import SluiceRollups

/// The lab analytics page: experiments by usage, and success rate and processing time
/// per experiment and per model; most used first.
public struct LabReport: Sendable {
    public let range: ReportRange
    public let audience: ReportAudience
    /// Every lab run of the period and the failed ones.
    public let runs: Int64
    public let failures: Int64
    /// 1 − failures / runs, nil without runs.
    public var successRate: Double? { ReportMath.rate(runs - failures, of: runs) }
    public let experiments: [RunRow]
    public let models: [RunRow]

    /// The dimensions read.
    public static let dimensions: [RollupDimension] = [.experiment, .labModel]

    /// The report from `read`'s totals, keeping `limit` rows per table.
    public init(_ read: RollupRead, audience: ReportAudience, limit: Int) {
        range = read.range
        self.audience = audience
        let experimentRows = read.totals.rows(.experiment, audience)
        (self.runs, self.failures) = RunRow.totals(experimentRows)
        experiments = RunRow.top(experimentRows, limit: limit)
        models = RunRow.top(read.totals.rows(.labModel, audience), limit: limit)
    }

    /// Every table, for CSV.
    public var tables: [ReportTable] {
        [
            RunRow.table(title: "Experiments", name: "Experiment", timeName: "Processing", experiments),
            RunRow.table(title: "Lab models", name: "Model", timeName: "Processing", models),
        ]
    }
}
