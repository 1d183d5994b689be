import SluiceReports

/// What a report page shows, computed once and rendered as HTML, JSON or CSV: headline
/// figures, an optional chart, a note, and named tables.
struct ReportView: Sendable {
    /// A headline figure: its value now and, when the page compares, in the previous period.
    struct Headline: Sendable {
        /// How the value reads.
        enum Kind: Sendable { case count, rate, duration }

        /// The JSON key (`pageViews`).
        let key: String
        let label: String
        let kind: Kind
        let value: Double?
        /// The previous period's value; nil on pages that do not compare.
        let previous: Double?
        /// Whether `value` is an estimate (unique visitors over several buckets).
        var isEstimate = false
        /// Whether the page compares with the previous period.
        var compares = false

        /// A figure compared with the previous period.
        init(_ key: String, _ label: String, _ kind: Kind, _ figure: ReportFigure, isEstimate: Bool = false) {
            self.init(key, label, kind, figure.current, previous: figure.previous, compares: true, isEstimate: isEstimate)
        }

        /// A figure of this period only.
        init(_ key: String, _ label: String, _ kind: Kind, _ value: Double?, previous: Double? = nil, compares: Bool = false, isEstimate: Bool = false) {
            self.key = key
            self.label = label
            self.kind = kind
            self.value = value
            self.previous = previous
            self.compares = compares
            self.isEstimate = isEstimate
        }

        /// (value − previous) / previous; nil without both or when previous is 0.
        var change: Double? { ReportFigure(current: value, previous: previous).change }

        /// The value as the page shows it (`≈` before an estimate).
        var display: String {
            switch kind {
            case .count: value.map { ReportFormat.count(Int64($0.rounded()), estimated: isEstimate) } ?? ReportFormat.missing
            case .rate: ReportFormat.percent(value)
            case .duration: ReportFormat.duration(milliseconds: value)
            }
        }
    }

    /// A table and the name its CSV download and JSON key use (`pages`).
    struct NamedTable: Sendable {
        let name: String
        let table: ReportTable

        /// `table` named `name`, or its title in lower case with dashes (`Entry pages` → `entry-pages`).
        init(_ table: ReportTable, name: String? = nil) {
            self.table = table
            self.name = name ?? Self.slug(table.title)
        }

        /// `title` in lower case, each run of other characters than letters and digits as one dash.
        static func slug(_ title: String) -> String {
            var out = ""
            for character in title.lowercased() {
                if character.isLetter || character.isNumber { out.append(character) } else if !out.hasSuffix("-") { out.append("-") }
            }
            while out.hasSuffix("-") { out.removeLast() }
            return out
        }
    }

    let headlines: [Headline]
    let tables: [NamedTable]
    /// Markup between the headlines and the tables (a chart, a note); escaped already.
    var lead = ""

    /// The table named `name`.
    func table(named name: String) -> NamedTable? { tables.first { $0.name == name } }
}
