import SluiceCore
import SluiceReports

/// A `ReportView` as the JSON routes answer it (docs/dashboard.md#pages):
/// `{"page", "site", "range": {"from", "to", "timeZone", "start", "end"}, "audience",
/// "figures": {key: {"value", "previous", "change", "estimate"}}, "tables": {name:
/// {"title", "columns", "rows"}}}`, and on the funnels page `"funnel"` (the one shown); cells as raw values (counts as integers, rates as
/// fractions, times in ms, null where there is none).
enum ReportJSON {
    /// The answer for `page`.
    static func object(page: DashboardPage, query: ReportQuery, view: ReportView) -> JSONObject {
        let range = query.range
        var figures = JSONObject()
        for headline in view.headlines {
            figures[headline.key] = .object(
                JSONObject([
                    ("value", number(headline.value, headline.kind)), ("previous", number(headline.previous, headline.kind)),
                    ("change", headline.change.map(JSONValue.double) ?? .null), ("estimate", .bool(headline.isEstimate)),
                ]))
        }
        var tables = JSONObject()
        for named in view.tables {
            tables[named.name] = .object(
                JSONObject([
                    ("title", .string(named.table.title)), ("columns", .array(named.table.columns.map(JSONValue.string))),
                    ("rows", .array(named.table.rows.map { .array($0.map(cell)) })),
                ]))
        }
        var object = JSONObject([
            ("page", .string(page.rawValue)), ("site", .string(query.site)),
            (
                "range",
                .object(
                    JSONObject([
                        ("from", .string(range.first.description)), ("to", .string(range.last.description)), ("timeZone", .string(query.timeZoneName)),
                        ("start", .string(Timestamp.iso8601(milliseconds: range.start))), ("end", .string(Timestamp.iso8601(milliseconds: range.end))),
                    ]))
            ),
            ("audience", .string(query.audience.rawValue)), ("figures", .object(figures)), ("tables", .object(tables)),
        ])
        if let funnel = query.funnel { object["funnel"] = .string(funnel) }
        return object
    }

    private static func number(_ value: Double?, _ kind: ReportView.Headline.Kind) -> JSONValue {
        guard let value, value.isFinite else { return .null }
        return kind == .count ? .int(Int64(value.rounded())) : .double(value)
    }

    private static func cell(_ cell: ReportCell) -> JSONValue {
        switch cell {
        case .text(let text): .string(text)
        case .count(let value): .int(value)
        case .rate(let value), .milliseconds(let value): value.flatMap { $0.isFinite ? JSONValue.double($0) : nil } ?? .null
        }
    }
}
