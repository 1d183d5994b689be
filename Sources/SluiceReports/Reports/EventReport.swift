import SluiceRollups

/// User events by type and name, with failures (events sent with `success: false`);
/// most frequent first.
public struct EventReport: Sendable {
    /// One event type and name.
    public struct Row: Sendable, Equatable {
        public let type: String
        public let name: String
        public let count: Int64
        public let failures: Int64
        /// 1 − failures / count, nil without events.
        public var successRate: Double? { ReportMath.rate(count - failures, of: count) }
    }

    public let range: ReportRange
    public let audience: ReportAudience
    /// Every user event of the period.
    public let count: Int64
    public let events: [Row]

    /// The dimensions read.
    public static let dimensions: [RollupDimension] = [.userEvent]

    /// The report from `read`'s totals, keeping `limit` rows.
    public init(_ read: RollupRead, audience: ReportAudience, limit: Int) {
        range = read.range
        self.audience = audience
        let rows = ReportMath.rows(read.totals.rows(.userEvent, audience))
        count = rows.reduce(0) { $0 + $1.metrics.count }
        events = rows.prefix(limit).map { entry in
            let (type, name) = ReportMath.split(entry.value)
            return Row(type: type, name: name, count: entry.metrics.count, failures: entry.metrics.failures)
        }
    }

    /// Every table, for CSV.
    public var tables: [ReportTable] {
        [
            ReportTable(
                title: "User events", columns: ["Type", "Name", "Events", "Failures", "Success rate"],
                rows: events.map { [.text($0.type), .text($0.name), .count($0.count), .count($0.failures), .rate($0.successRate)] })
        ]
    }
}
