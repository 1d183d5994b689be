import SluiceRollups

/// The tool analytics page: most used tools and categories with success rate and
/// execution time, and the most frequent error messages.
public struct ToolReport: Sendable {
    /// A tool's failures with one error message.
    public struct ErrorRow: Sendable, Equatable {
        public let tool: String
        /// The message, "(none)" for failures without one.
        public let message: String
        public let count: Int64
    }

    public let range: ReportRange
    public let audience: ReportAudience
    /// Every tool run of the period and the failed ones.
    public let runs: Int64
    public let failures: Int64
    /// 1 − failures / runs, nil without runs.
    public var successRate: Double? { ReportMath.rate(runs - failures, of: runs) }
    /// Most runs first.
    public let tools: [RunRow]
    public let categories: [RunRow]
    /// Most frequent first.
    public let errors: [ErrorRow]

    /// The dimensions read.
    public static let dimensions: [RollupDimension] = [.tool, .toolCategory, .toolError]

    /// The report from `read`'s totals, keeping `limit` rows per table.
    public init(_ read: RollupRead, audience: ReportAudience, limit: Int) {
        range = read.range
        self.audience = audience
        let toolRows = read.totals.rows(.tool, audience)
        (self.runs, self.failures) = RunRow.totals(toolRows)
        tools = RunRow.top(toolRows, limit: limit)
        categories = RunRow.top(read.totals.rows(.toolCategory, audience), limit: limit)
        errors = ReportMath.rows(read.totals.rows(.toolError, audience)).prefix(limit).map { entry in
            let (tool, message) = ReportMath.split(entry.value)
            return ErrorRow(tool: tool, message: message, count: entry.metrics.count)
        }
    }

    /// Every table, for CSV.
    public var tables: [ReportTable] {
        [
            RunRow.table(title: "Tools", name: "Tool", timeName: "Execution", tools),
            RunRow.table(title: "Tool categories", name: "Category", timeName: "Execution", categories),
            ReportTable(
                title: "Tool errors", columns: ["Tool", "Error message", "Failures"],
                rows: errors.map { [.text($0.tool), .text($0.message), .count($0.count)] }),
        ]
    }
}
