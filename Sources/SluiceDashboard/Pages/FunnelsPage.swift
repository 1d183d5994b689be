import SluiceReports

/// `/funnels`: funnels are not configured yet (the roll-ups keep no funnel progress), so
/// the page shows the seed's own conversion figure as it is, signups / visitors: user
/// events of type `auth` and name `signup` over unique visitors in the range, and the
/// user events the range holds.
enum FunnelsPage {
    /// The seed's signup event: `eventType`, `eventName`.
    static let signup = (type: "auth", name: "signup")

    /// The page's view from the event report and the overview's visitors.
    static func view(_ source: ReportSource, _ query: ReportQuery) throws(ReportError) -> ReportView {
        let events = try source.events(site: query.site, range: query.range, audience: query.audience, limit: ReportLimit.allowed.upperBound)
        let visitors = try source.overview(site: query.site, range: query.range, audience: query.audience, limit: 1)
        let signups = events.events.first { $0.type == signup.type && $0.name == signup.name }?.count ?? 0
        let visitorCount = visitors.visitors.current ?? 0
        let table = events.tables[0]
        return ReportView(
            headlines: [
                .init("signups", "Signups", .count, Double(signups)),
                .init("visitors", "Visitors", .count, visitorCount, isEstimate: visitors.visitorsAreEstimated),
                .init("signupRate", "Signups / visitors", .rate, visitorCount == 0 ? nil : Double(signups) / visitorCount),
            ],
            tables: [ReportView.NamedTable(ReportTable(title: table.title, columns: table.columns, rows: Array(table.rows.prefix(query.limit))))],
            lead: """
                <p>Funnels are not configured yet: the roll-ups do not keep each visitor's progress through a sequence of steps. \
                Until they do, this page shows the seed's own conversion figure as it is: signups (user events <code>auth</code> / \
                <code>signup</code>) divided by unique visitors over the range.</p>
                """)
    }
}
