import SluiceRollups

/// The performance page: API endpoints (by method) with calls, 4xx and 5xx rates and
/// response time p50/p95/p99, slowest first.
public struct APIReport: Sendable {
    /// One endpoint and method.
    public struct Row: Sendable, Equatable {
        public let endpoint: String
        /// Upper case, "(none)" when the call named none.
        public let method: String
        public let calls: Int64
        public let clientErrors: Int64
        public let serverErrors: Int64
        /// 4xx / calls, 5xx / calls and both / calls (fractions).
        public var clientErrorRate: Double? { ReportMath.rate(clientErrors, of: calls) }
        public var serverErrorRate: Double? { ReportMath.rate(serverErrors, of: calls) }
        public var errorRate: Double? { ReportMath.rate(clientErrors + serverErrors, of: calls) }
        /// Response time percentiles (ms), nil without times.
        public let p50: Double?
        public let p95: Double?
        public let p99: Double?
    }

    public let range: ReportRange
    public let audience: ReportAudience
    /// Every call of the period, and those answered 4xx and 5xx.
    public let calls: Int64
    public let clientErrors: Int64
    public let serverErrors: Int64
    /// (4xx + 5xx) / calls, nil without calls.
    public var errorRate: Double? { ReportMath.rate(clientErrors + serverErrors, of: calls) }
    /// Slowest first: by p95, then p99, then most calls; endpoints without times last.
    public let endpoints: [Row]

    /// The dimensions read.
    public static let dimensions: [RollupDimension] = [.endpoint]

    /// The report from `read`'s totals, keeping the `limit` slowest endpoints.
    public init(_ read: RollupRead, audience: ReportAudience, limit: Int) {
        range = read.range
        self.audience = audience
        var rows: [Row] = []
        var calls: Int64 = 0
        var clientErrors: Int64 = 0
        var serverErrors: Int64 = 0
        for (value, values) in read.totals.rows(.endpoint, audience) {
            let metrics = RowMetrics(values)
            let (endpoint, method) = ReportMath.split(value)
            calls += metrics.count
            clientErrors += metrics.clientErrors
            serverErrors += metrics.serverErrors
            rows.append(
                Row(
                    endpoint: endpoint, method: method, calls: metrics.count, clientErrors: metrics.clientErrors, serverErrors: metrics.serverErrors,
                    p50: metrics.percentile(0.5), p95: metrics.percentile(0.95), p99: metrics.percentile(0.99)))
        }
        self.calls = calls
        self.clientErrors = clientErrors
        self.serverErrors = serverErrors
        rows.sort { a, b in
            let (pa, pb) = (a.p95 ?? -1, b.p95 ?? -1)
            if pa != pb { return pa > pb }
            let (qa, qb) = (a.p99 ?? -1, b.p99 ?? -1)
            if qa != qb { return qa > qb }
            if a.calls != b.calls { return a.calls > b.calls }
            return (a.endpoint, a.method) < (b.endpoint, b.method)
        }
        endpoints = Array(rows.prefix(limit))
    }

    /// Every table, for CSV.
    public var tables: [ReportTable] {
        [
            ReportTable(
                title: "API endpoints",
                columns: ["Endpoint", "Method", "Calls", "4xx", "4xx rate", "5xx", "5xx rate", "Error rate", "p50", "p95", "p99"],
                rows: endpoints.map {
                    [
                        .text($0.endpoint), .text($0.method), .count($0.calls), .count($0.clientErrors), .rate($0.clientErrorRate), .count($0.serverErrors),
                        .rate($0.serverErrorRate), .rate($0.errorRate), .milliseconds($0.p50), .milliseconds($0.p95), .milliseconds($0.p99),
                    ]
                })
        ]
    }
}
