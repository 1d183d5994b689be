import SluiceRollups

/// The overview page: visitors, sessions, page views, bounce rate and visit duration
/// against the previous period, a time series, and the top values of each traffic
/// breakdown (docs/dashboard.md#reports).
public struct OverviewReport: Sendable {
    /// One point of the series.
    public struct Point: Sendable, Equatable {
        /// The point's first bucket millisecond and its label (`ReportSeriesSlot`).
        public let start: Int64
        public let label: String
        public let visitors: VisitorCount
        public let pageViews: Int64
        public let sessions: Int64
    }

    /// The breakdowns the page shows, in order.
    public static let dimensions: [RollupDimension] = [
        .page, .entryPage, .exitPage, .referrer, .channel, .utmSource, .utmMedium, .utmCampaign, .deviceType, .browser, .os,
    ]

    public let range: ReportRange
    public let audience: ReportAudience
    /// Unique human visitors.
    public let visitors: ReportFigure
    /// Whether this period's `visitors` is a HyperLogLog estimate (more than one bucket).
    public let visitorsAreEstimated: Bool
    /// Human sessions started in the period.
    public let sessions: ReportFigure
    public let pageViews: ReportFigure
    /// Sessions with fewer than two page views / sessions (a fraction).
    public let bounceRate: ReportFigure
    /// Σ session length / sessions, in ms.
    public let averageDuration: ReportFigure
    public let series: [Point]
    /// `dimensions`' top values, in that order.
    public let breakdowns: [ShareTable]

    /// The report from `current` (read with its series) and `previous` (the period
    /// before), with the visitors counted for each of them and for each series slot.
    public init(
        current: RollupRead, previous: RollupRead, visitors: VisitorCount, previousVisitors: VisitorCount, seriesVisitors: [VisitorCount],
        audience: ReportAudience, limit: Int
    ) {
        range = current.range
        self.audience = audience
        let humansCounted = audience != .bots
        self.visitors = ReportFigure(current: Double(humansCounted ? visitors.value : 0), previous: Double(humansCounted ? previousVisitors.value : 0))
        visitorsAreEstimated = humansCounted && visitors.isEstimate
        let now = Totals(current.totals, audience)
        let before = Totals(previous.totals, audience)
        sessions = ReportFigure(current: Double(now.sessions), previous: Double(before.sessions))
        pageViews = ReportFigure(current: Double(now.pageViews), previous: Double(before.pageViews))
        bounceRate = ReportFigure(current: ReportMath.rate(now.bounces, of: now.sessions), previous: ReportMath.rate(before.bounces, of: before.sessions))
        averageDuration = ReportFigure(current: now.averageDuration, previous: before.averageDuration)
        series = zip(zip(current.range.seriesSlots, current.seriesGroups), seriesVisitors).map { slotAndGroup, visitors in
            let (slot, group) = slotAndGroup
            var pageViews: Int64 = 0
            var sessions: Int64 = 0
            for snapshot in group {
                pageViews += snapshot.counts.total(.pageViews, audience)
                sessions += snapshot.counts.total(.sessions, audience)
            }
            return Point(
                start: slot.start, label: slot.label, visitors: humansCounted ? visitors : .zero, pageViews: pageViews,
                sessions: sessions)
        }
        breakdowns = Self.dimensions.map { ShareTable(dimension: $0, values: current.totals.rows($0, audience), limit: limit) }
    }

    /// Every table, for CSV: the series, then the breakdowns.
    public var tables: [ReportTable] {
        let seriesTable = ReportTable(
            title: "Visitors, page views and sessions", columns: [range.seriesGranularity == .hour ? "Hour" : "Day", "Visitors", "Page views", "Sessions"],
            rows: series.map { [.text($0.label), .count($0.visitors.value), .count($0.pageViews), .count($0.sessions)] })
        return [seriesTable] + breakdowns.map(\.table)
    }

    /// A period's session totals.
    private struct Totals {
        let sessions: Int64, bounces: Int64, duration: Int64, pageViews: Int64

        init(_ counts: RollupCounts, _ audience: ReportAudience) {
            sessions = counts.total(.sessions, audience)
            bounces = counts.total(.bounces, audience)
            duration = counts.total(.duration, audience)
            pageViews = counts.total(.pageViews, audience)
        }

        var averageDuration: Double? { sessions == 0 ? nil : Double(duration) / Double(sessions) }
    }
}
