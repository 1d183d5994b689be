import SluiceReports

/// `/performance`: API endpoints by calls with 4xx and 5xx rates and response time
/// p50/p95/p99, slowest first.
enum PerformancePage {
    /// The page's view from the API report.
    static func view(_ source: ReportSource, _ query: ReportQuery) throws(ReportError) -> ReportView {
        let report = try source.api(site: query.site, range: query.range, audience: query.audience, limit: query.limit)
        return ReportView(
            headlines: [
                .init("calls", "API calls", .count, Double(report.calls)),
                .init("errorRate", "Error rate (4xx + 5xx)", .rate, report.errorRate),
                .init("clientErrorRate", "4xx rate", .rate, report.calls == 0 ? nil : Double(report.clientErrors) / Double(report.calls)),
                .init("serverErrorRate", "5xx rate", .rate, report.calls == 0 ? nil : Double(report.serverErrors) / Double(report.calls)),
            ],
            tables: report.tables.map { ReportView.NamedTable($0) },
            lead: #"<p class="muted">Slowest first (by p95). Times are the upper bound of their histogram bin (at most 25% high).</p>"#)
    }
}
