import SluiceReports

/// What a report page or route asks for, parsed from its `ReportControls`: the site,
/// the days in a time zone, whose events and how many rows per table.
///
/// The time zone is `tz` when given, else the site's `timeZone` in the sites file,
/// else UTC.
struct ReportQuery: Sendable {
    let site: String
    let range: ReportRange
    let audience: ReportAudience
    let limit: Int
    /// The zone's name as chosen (`UTC` by default; Foundation may call UTC "GMT").
    let timeZoneName: String
    /// The funnel chosen among those the controls offer (the first by default); nil on other pages.
    let funnel: String?

    /// The query `controls` ask for on `sites`, today being the day holding `now` (epoch
    /// ms); a bad value is a 400 naming its parameter.
    init(_ controls: ReportControls, sites: DashboardSites, now: Int64) throws(DashboardError) {
        site = try sites.site(controls.site)
        funnel = try Self.funnel(controls)
        let zone = controls.timeZone.flatMap { $0.isEmpty ? nil : $0 } ?? sites.zones[site]?.identifier ?? "UTC"
        timeZoneName = zone
        do {
            range = try ReportRange.parse(range: controls.range, from: controls.from, to: controls.to, timeZone: zone, now: now)
            audience = try ReportAudience.parse(controls.audience)
            limit = try ReportLimit.parse(controls.limit)
        } catch {
            throw .invalidQuery(error.parameter, error.problem)
        }
    }

    /// The `funnel` asked for, the first offered when none is, nil when none are offered.
    private static func funnel(_ controls: ReportControls) throws(DashboardError) -> String? {
        guard let first = controls.funnels.first else { return nil }
        guard let asked = controls.funnel, !asked.isEmpty else { return first }
        guard controls.funnels.contains(asked) else {
            throw .invalidQuery("funnel", "unknown funnel \"\(asked.prefix(100))\": use one of \(controls.funnels.joined(separator: ", "))")
        }
        return asked
    }
}
