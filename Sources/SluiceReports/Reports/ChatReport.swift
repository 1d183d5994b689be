import SluiceRollups

/// The chat analytics page: chats per agent and per model with satisfaction (satisfied /
/// rated), feedback and response times, and the chats' languages; most used first.
public struct ChatReport: Sendable {
    /// An agent's or a model's chats.
    public struct Row: Sendable, Equatable {
        /// The agent id (its name when the chat had no id) or the model.
        public let key: String
        public let chats: Int64
        public let satisfied: Int64
        public let unsatisfied: Int64
        /// Chats with feedback (satisfied + unsatisfied).
        public var feedback: Int64 { satisfied + unsatisfied }
        /// satisfied / feedback, nil without feedback.
        public var satisfactionRate: Double? { ReportMath.rate(satisfied, of: feedback) }
        /// Response time percentiles (ms), nil without times.
        public let p50: Double?
        public let p95: Double?
    }

    public let range: ReportRange
    public let audience: ReportAudience
    /// Every chat of the period.
    public let chats: Int64
    public let satisfied: Int64
    public let unsatisfied: Int64
    /// satisfied / (satisfied + unsatisfied), nil without feedback.
    public var satisfactionRate: Double? { ReportMath.rate(satisfied, of: satisfied + unsatisfied) }
    public let agents: [Row]
    public let models: [Row]
    public let languages: ShareTable

    /// The dimensions read.
    public static let dimensions: [RollupDimension] = [.agent, .model, .language]

    /// The report from `read`'s totals, keeping `limit` rows per table.
    public init(_ read: RollupRead, audience: ReportAudience, limit: Int) {
        range = read.range
        self.audience = audience
        let agentRows = ReportMath.rows(read.totals.rows(.agent, audience))
        chats = agentRows.reduce(0) { $0 + $1.metrics.count }
        satisfied = agentRows.reduce(0) { $0 + $1.metrics.satisfied }
        unsatisfied = agentRows.reduce(0) { $0 + $1.metrics.unsatisfied }
        agents = agentRows.prefix(limit).map(Self.row)
        models = ReportMath.rows(read.totals.rows(.model, audience)).prefix(limit).map(Self.row)
        languages = ShareTable(dimension: .language, values: read.totals.rows(.language, audience), limit: limit)
    }

    private static func row(_ entry: (value: String, metrics: RowMetrics)) -> Row {
        Row(
            key: entry.value, chats: entry.metrics.count, satisfied: entry.metrics.satisfied, unsatisfied: entry.metrics.unsatisfied,
            p50: entry.metrics.percentile(0.5), p95: entry.metrics.percentile(0.95))
    }

    /// Every table, for CSV.
    public var tables: [ReportTable] {
        func table(_ title: String, _ rows: [Row]) -> ReportTable {
            ReportTable(
                title: title + "s", columns: [title, "Chats", "Feedback", "Satisfied", "Satisfaction rate", "Response p50", "Response p95"],
                rows: rows.map {
                    [
                        .text($0.key), .count($0.chats), .count($0.feedback), .count($0.satisfied), .rate($0.satisfactionRate), .milliseconds($0.p50),
                        .milliseconds($0.p95),
                    ]
                })
        }
        return [table("Agent", agents), table("Model", models), languages.table]
    }
}
