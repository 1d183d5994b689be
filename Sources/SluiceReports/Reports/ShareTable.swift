import SluiceRollups

/// A ranked breakdown: the top values of one dimension with their counts and shares.
public struct ShareTable: Sendable, Equatable {
    /// One value and what it counted.
    public struct Row: Sendable, Equatable {
        public let key: String
        public let count: Int64
        /// count / the dimension's total (every value, the ones past the limit included).
        public let share: Double
    }

    public let dimension: RollupDimension
    /// Every value's count added up (page views for `page`, sessions for the session breakdowns, chats for `language`).
    public let total: Int64
    /// Largest count first, then by key; at most the report's limit.
    public let rows: [Row]

    /// The top `limit` of `values` (value → metric → count).
    init(dimension: RollupDimension, values: [String: [String: Int64]], limit: Int) {
        self.dimension = dimension
        var all: [(key: String, count: Int64)] = []
        all.reserveCapacity(values.count)
        var total: Int64 = 0
        for (key, metrics) in values {
            let count = metrics[RollupMetric.count] ?? 0
            total += count
            all.append((key, count))
        }
        all.sort { $0.count != $1.count ? $0.count > $1.count : $0.key < $1.key }
        self.total = total
        rows = all.prefix(limit).map { Row(key: $0.key, count: $0.count, share: total == 0 ? 0 : Double($0.count) / Double(total)) }
    }

    /// A heading for the dimension.
    public var title: String {
        switch dimension {
        case .page: "Pages"
        case .entryPage: "Entry pages"
        case .exitPage: "Exit pages"
        case .referrer: "Referrers"
        case .channel: "Channels"
        case .utmSource: "Campaign sources"
        case .utmMedium: "Campaign media"
        case .utmCampaign: "Campaigns"
        case .deviceType: "Device types"
        case .browser: "Browsers"
        case .os: "Operating systems"
        case .language: "Languages"
        default: dimension.rawValue
        }
    }

    /// As a page or CSV shows it.
    public var table: ReportTable {
        let counted = dimension == .page ? "Page views" : dimension == .language ? "Chats" : "Sessions"
        return ReportTable(title: title, columns: [title, counted, "Share"], rows: rows.map { [.text($0.key), .count($0.count), .rate($0.share)] })
    }
}
