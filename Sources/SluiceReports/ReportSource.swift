import SluiceMongo
import SluiceRedis
import SluiceRollups

/// Every page's figures for a site and range, read from the roll-ups (one find per
/// period) and, for unique visitors over several buckets, Redis. What the dashboard's
/// routes call. Blocking: call it off the cooperative pool; not for concurrent use
/// (it holds one Redis connection).
public struct ReportSource {
    let reader: RollupReader
    let visitors: VisitorCounter

    /// Reports reading `store`'s `rollups` (reads reused from `cache` when given, open
    /// buckets' while `redis` shows no newer roll-up generation) and counting visitors on
    /// `redis` (unions of closed buckets kept in `cache` too).
    public init(store: MongoStore, redis: RedisConnection, cache: RollupCache? = nil) {
        reader = RollupReader(store: store, cache: cache, redis: redis)
        visitors = VisitorCounter(redis: redis, cache: cache)
    }

    /// The overview of `site` (`""` without a sites file) over `range`, against the period before.
    public func overview(site: String, range: ReportRange, audience: ReportAudience = .humans, limit: Int = ReportLimit.standard) throws(ReportError)
        -> OverviewReport
    {
        let sketches = audience != .bots
        let current = try reader.read(site: site, range: range, dimensions: OverviewReport.dimensions, audience: audience, series: true, sketches: sketches)
        let previous = try reader.read(site: site, range: range.previous, dimensions: [], audience: audience, series: false, sketches: sketches)
        let counts = audience == .bots ? [] : try visitors.count([current.totalBuckets, previous.totalBuckets] + current.seriesGroups)
        return OverviewReport(
            current: current, previous: previous, visitors: counts.first ?? .zero, previousVisitors: counts.dropFirst().first ?? .zero,
            seriesVisitors: counts.count > 2 ? Array(counts.dropFirst(2)) : Array(repeating: .zero, count: range.seriesSlots.count), audience: audience,
            limit: limit)
    }

    /// The unique human visitors of `site` over `range` alone, as the overview counts them:
    /// one read of the buckets' totals and sketches, without the overview's breakdowns,
    /// series and previous period (the funnels page's denominator). Zero with bots only.
    public func visitors(site: String, range: ReportRange, audience: ReportAudience = .humans) throws(ReportError) -> VisitorCount {
        guard audience != .bots else { return .zero }
        let read = try reader.read(site: site, range: range, dimensions: [], audience: audience, series: false, sketches: true)
        return try visitors.count([read.totalBuckets]).first ?? .zero
    }

    /// Chats per agent and model, and their languages.
    public func chats(site: String, range: ReportRange, audience: ReportAudience = .humans, limit: Int = ReportLimit.standard) throws(ReportError) -> ChatReport
    {
        ChatReport(try totals(site, range, ChatReport.dimensions, audience), audience: audience, limit: limit)
    }

    /// Tool runs per tool and category, and their errors.
    public func tools(site: String, range: ReportRange, audience: ReportAudience = .humans, limit: Int = ReportLimit.standard) throws(ReportError) -> ToolReport
    {
        ToolReport(try totals(site, range, ToolReport.dimensions, audience), audience: audience, limit: limit)
    }

    /// Lab runs per experiment and model.
    public func lab(site: String, range: ReportRange, audience: ReportAudience = .humans, limit: Int = ReportLimit.standard) throws(ReportError) -> LabReport {
        LabReport(try totals(site, range, LabReport.dimensions, audience), audience: audience, limit: limit)
    }

    /// API calls per endpoint and method, slowest first.
    public func api(site: String, range: ReportRange, audience: ReportAudience = .humans, limit: Int = ReportLimit.standard) throws(ReportError) -> APIReport {
        APIReport(try totals(site, range, APIReport.dimensions, audience), audience: audience, limit: limit)
    }

    /// User events per type and name.
    public func events(site: String, range: ReportRange, audience: ReportAudience = .humans, limit: Int = ReportLimit.standard) throws(ReportError)
        -> EventReport
    {
        EventReport(try totals(site, range, EventReport.dimensions, audience), audience: audience, limit: limit)
    }

    private func totals(_ site: String, _ range: ReportRange, _ dimensions: [RollupDimension], _ audience: ReportAudience) throws(ReportError) -> RollupRead {
        try reader.read(site: site, range: range, dimensions: dimensions, audience: audience, series: false)
    }
}
