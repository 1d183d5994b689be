/// A table of a report, as pages show it and CSV downloads carry it.
public struct ReportTable: Sendable, Equatable {
    /// What the table lists, e.g. "Pages".
    public let title: String
    /// Column headers, one per cell of every row; without units, which the page's cells
    /// carry ("1.2 s") and CSV's headers add (`csvColumns`).
    public let columns: [String]
    public let rows: [[ReportCell]]

    /// A table titled `title`; every row has one cell per column.
    public init(title: String, columns: [String], rows: [[ReportCell]]) {
        self.title = title
        self.columns = columns
        self.rows = rows
    }

    /// The table as RFC 4180 CSV: a header row, then one line per row, CRLF line ends;
    /// a field with a comma, quote, CR or LF is quoted with its quotes doubled. A text
    /// starting with `=`, `+`, `-`, `@`, tab or CR (a page path or referrer is anyone's to
    /// choose) gets a leading `'`, so a spreadsheet shows it instead of running it as a formula.
    public var csv: String {
        var out = ""
        Self.appendLine(csvColumns, to: &out)
        for row in rows {
            Self.appendLine(
                row.map { cell in
                    if case .text(let text) = cell, let first = text.first, "=+-@\t\r".contains(first) { return "'" + text }
                    return cell.csvValue
                }, to: &out)
        }
        return out
    }

    /// The headers CSV carries: a column of durations, which CSV holds as plain numbers,
    /// says its unit ("Response p50 (ms)").
    var csvColumns: [String] {
        columns.indices.map { index in
            let durations = rows.contains { row in
                if index < row.count, case .milliseconds = row[index] { return true }
                return false
            }
            return durations ? columns[index] + " (ms)" : columns[index]
        }
    }

    private static func appendLine(_ fields: [String], to out: inout String) {
        for (index, field) in fields.enumerated() {
            if index > 0 { out.append(",") }
            if field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) {
                out.append("\"")
                for character in field { out.append(character == "\"" ? "\"\"" : String(character)) }
                out.append("\"")
            } else {
                out.append(field)
            }
        }
        out.append("\r\n")
    }
}
