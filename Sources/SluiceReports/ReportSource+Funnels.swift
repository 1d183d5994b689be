import SluiceRollups

extension ReportSource {
    /// User events per type and name and the progress through `funnels`, from one read
    /// of the roll-ups (the funnels page shows both).
    public func eventsAndFunnels(
        site: String, range: ReportRange, funnels: [Funnel], audience: ReportAudience = .humans, limit: Int = ReportLimit.standard
    ) throws(ReportError) -> (events: EventReport, funnels: FunnelReport) {
        let read = try reader.read(site: site, range: range, dimensions: EventReport.dimensions + FunnelReport.dimensions, audience: audience, series: false)
        return (EventReport(read, audience: audience, limit: limit), FunnelReport(read, funnels: funnels, audience: audience))
    }
}
