import SluiceReports

/// `/lab`: experiments by usage, and success rate and processing time per experiment and per model.
enum LabPage {
    /// The page's view from the lab report.
    static func view(_ source: ReportSource, _ query: ReportQuery) throws(ReportError) -> ReportView {
        let report = try source.lab(site: query.site, range: query.range, audience: query.audience, limit: query.limit)
        return ReportView(
            headlines: [
                .init("runs", "Lab runs", .count, Double(report.runs)),
                .init("failures", "Failures", .count, Double(report.failures)),
                .init("successRate", "Success rate", .rate, report.successRate),
            ],
            tables: report.tables.map { ReportView.NamedTable($0) })
    }
}
