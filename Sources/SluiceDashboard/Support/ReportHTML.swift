import SluiceReports

/// A `ReportView` as page markup: headline cards, the lead (chart or note), then every
/// table with its CSV download link.
enum ReportHTML {
    /// The markup; `csvLink` gives a table's download URL from its name.
    static func body(_ view: ReportView, csvLink: (String) -> String) -> String {
        let cards = view.headlines.map { headline in
            let change = headline.compares ? #"<div class="change">\#(ReportFormat.change(headline.change)) vs previous period</div>"# : ""
            return
                #"<div class="card" data-figure="\#(headline.key)"><div class="label">\#(HTMLPage.escaped(headline.label))</div><div class="value">\#(HTMLPage.escaped(headline.display))</div>\#(change)</div>"#
        }
        let tables = view.tables.map { table(named: $0, csvLink: csvLink($0.name)) }
        return """
            <section class="cards">\(cards.joined())</section>
            \(view.lead)
            <section class="tables">\(tables.joined(separator: "\n"))</section>
            """
    }

    /// One table with its heading and download link; an empty table says so.
    static func table(named: ReportView.NamedTable, csvLink: String) -> String {
        let table = named.table
        // Tables of more than four columns take the whole width of the grid.
        let frame = #"<div data-table="\#(named.name)"\#(table.columns.count > 4 ? #" class="wide""# : "")>"#
        let heading = #"<h2>\#(HTMLPage.escaped(table.title))<a class="csv" href="\#(HTMLPage.escaped(csvLink))">CSV</a></h2>"#
        guard !table.rows.isEmpty else { return #"\#(frame)\#(heading)<p class="muted">Nothing in this range.</p></div>"# }
        let numeric = table.rows[0].map(numericCell)
        let header = zip(table.columns, numeric).map { column, isNumber in "<th\(isNumber ? #" class="n""# : "")>\(HTMLPage.escaped(column))</th>" }
        let rows = table.rows.map { row in
            "<tr>" + row.map { cell in "<td\(numericCell(cell) ? #" class="n""# : "")>\(HTMLPage.escaped(cell.display))</td>" }.joined() + "</tr>"
        }
        return #"\#(frame)\#(heading)<table><thead><tr>\#(header.joined())</tr></thead><tbody>\#(rows.joined())</tbody></table></div>"#
    }

    /// Whether `cell` holds a number (right-aligned).
    private static func numericCell(_ cell: ReportCell) -> Bool {
        if case .text = cell { return false }
        return true
    }
}
