import SluiceReports

/// `/tools`: the most used tools and categories with success rate and execution time
/// p50/p95, and the most frequent error messages.
enum ToolsPage {
    /// The page's view from the tool report.
    static func view(_ source: ReportSource, _ query: ReportQuery) throws(ReportError) -> ReportView {
        let report = try source.tools(site: query.site, range: query.range, audience: query.audience, limit: query.limit)
        return ReportView(
            headlines: [
                .init("runs", "Tool runs", .count, Double(report.runs)),
                .init("failures", "Failures", .count, Double(report.failures)),
                .init("successRate", "Success rate", .rate, report.successRate),
            ],
            tables: report.tables.map { ReportView.NamedTable($0) })
    }
}
