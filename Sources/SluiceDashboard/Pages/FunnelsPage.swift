import SluiceReports
import SluiceRollups

/// `/funnels`: the funnels of `SLUICE_FUNNELS` as cohorts (the visitors who reached a
/// funnel's first step in the range and how far each got), the chosen funnel step by
/// step, and beside them the seed's own conversion figure as it is: signups (user events
/// `auth`/`signup`) over unique visitors in the range.
enum FunnelsPage {
    /// The seed's signup event: `eventType`, `eventName`.
    static let signup = (type: "auth", name: "signup")

    /// The page's builder for `settings`' funnels.
    static func builder(_ settings: FunnelSettings) -> ReportPageController.Builder {
        { source, query throws(ReportError) in try view(source, query, funnels: settings.funnels) }
    }

    /// The page's view from one read of user events and funnel rows, and the range's visitors.
    static func view(_ source: ReportSource, _ query: ReportQuery, funnels: [Funnel]) throws(ReportError) -> ReportView {
        let (events, progress) = try source.eventsAndFunnels(
            site: query.site, range: query.range, funnels: funnels, audience: query.audience, limit: ReportLimit.allowed.upperBound)
        let visitors = try source.visitors(site: query.site, range: query.range, audience: query.audience)
        let signups = events.events.first { $0.type == signup.type && $0.name == signup.name }?.count ?? 0
        let visitorCount = Double(visitors.value)
        var headlines: [ReportView.Headline] = [
            .init("signups", "Signups", .count, Double(signups)),
            .init("visitors", "Visitors", .count, visitorCount, isEstimate: visitors.isEstimate),
            .init("signupRate", "Signups / visitors", .rate, visitorCount == 0 ? nil : Double(signups) / visitorCount),
        ]
        // The same figures and tables with or without funnels (null and empty then), so scripts see one shape.
        let chosen = query.funnel.flatMap(progress.funnel(named:))
        let name = chosen?.name ?? "funnel"
        headlines += [
            .init("funnelEntered", "Entered \(name)", .count, chosen.map { Double($0.entered) }),
            .init("funnelCompleted", "Completed \(name)", .count, chosen.map { Double($0.completed) }),
            .init("funnelConversion", "Conversion", .rate, chosen?.conversion),
        ]
        let table = events.tables[0]
        let tables = [
            ReportView.NamedTable(FunnelReport.stepTable(chosen)),
            ReportView.NamedTable(progress.summaryTable),
            ReportView.NamedTable(ReportTable(title: table.title, columns: table.columns, rows: Array(table.rows.prefix(query.limit)))),
        ]
        return ReportView(headlines: headlines, tables: tables, lead: lead(configured: !funnels.isEmpty, audience: query.audience))
    }

    private static func lead(configured: Bool, audience: ReportAudience) -> String {
        let seed = """
            Signups / visitors is the seed's own conversion figure as it is: user events <code>auth</code> / \
            <code>signup</code> divided by unique visitors over the range.
            """
        guard configured else {
            return
                "<p>No funnels are configured: set <code>SLUICE_FUNNELS</code> (as the workers have it) to follow visitors through steps in order. \(seed)</p>"
        }
        let bots = audience == .bots ? " Bots keep no funnel progress: with bots only, every step is empty." : ""
        return """
            <p>Each funnel is a cohort: the visitors who reached its first step in the range, and how far they went since, \
            one step after the other (a step reached out of order does not count). A step never has more visitors than the \
            one before it.\(bots) \(seed)</p>
            """
    }
}
