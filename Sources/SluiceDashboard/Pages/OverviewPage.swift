import SluiceReports

/// `/`: visitors, sessions, page views, bounce rate and visit duration against the
/// previous period, visitors and page views over time, and the traffic breakdowns.
enum OverviewPage {
    /// The page's view from the overview report.
    static func view(_ source: ReportSource, _ query: ReportQuery) throws(ReportError) -> ReportView {
        let report = try source.overview(site: query.site, range: query.range, audience: query.audience, limit: query.limit)
        let chart = SeriesChart(
            labels: report.series.map(\.label),
            lines: [
                .init(name: "Visitors", colour: "#2457c5", values: report.series.map(\.visitors.value)),
                .init(name: "Page views", colour: "#d9822b", values: report.series.map(\.pageViews)),
            ])
        let tables = report.tables
        let estimateNote =
            report.visitorsAreEstimated
            ? #"<p class="muted">≈ visitors over more than one hour or day are counted by a HyperLogLog: an estimate within about 2%.</p>"# : ""
        return ReportView(
            headlines: [
                .init("visitors", "Visitors", .count, report.visitors, isEstimate: report.visitorsAreEstimated),
                .init("sessions", "Sessions", .count, report.sessions),
                .init("pageViews", "Page views", .count, report.pageViews),
                .init("bounceRate", "Bounce rate", .rate, report.bounceRate),
                .init("averageDuration", "Average visit duration", .duration, report.averageDuration),
            ],
            tables: [ReportView.NamedTable(tables[0], name: "series")] + tables.dropFirst().map { ReportView.NamedTable($0) },
            lead: chart.svg + estimateNote)
    }
}
