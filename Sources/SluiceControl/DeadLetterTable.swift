import SluiceCore

/// How many dead letters each place holds.
struct DeadLetterCounts {
    /// Letters in `events:dead`.
    var stream: Int64
    /// Letters in MongoDB's `deadletters`; nil when MongoDB could not be read.
    var archive: Int64?

    var total: Int64 { stream + (archive ?? 0) }

    /// "7 dead letters: 5 in events:dead, 2 in deadletters".
    var summary: String {
        guard let archive else {
            return "\(DeadLetterTable.count(Int(stream))) in \(DeadLetterPlace.stream.rawValue) (\(DeadLetterPlace.archive.rawValue) not read)"
        }
        guard archive > 0 else { return "\(DeadLetterTable.count(Int(stream))) in \(DeadLetterPlace.stream.rawValue)" }
        return "\(DeadLetterTable.count(Int(total))): \(stream) in \(DeadLetterPlace.stream.rawValue), \(archive) in \(DeadLetterPlace.archive.rawValue)"
    }
}

/// `dead list` output: a table for people, JSON for scripts.
enum DeadLetterTable {
    /// The table with a footer; `width` (terminal columns) truncates the reason column.
    static func text(_ letters: [DeadLetter], counts: DeadLetterCounts, reason: String?, width: Int?) -> String {
        let header = ["ID", "WHERE", "FAILED AT", "STREAM", "TYPE", "EVENT ID", "DELIVERIES", "REASON"]
        // Escaped before the widths are measured, so the columns line up on what is shown.
        let rows =
            [header]
            + letters.map { letter in
                [
                    letter.id, letter.place.rawValue, letter.failedAt ?? "-", letter.stream ?? "-", letter.eventType.map { clip($0, to: 16) } ?? "-",
                    letter.eventId.map { clip($0, to: 36) } ?? "-", letter.deliveries.map(String.init) ?? "-", oneLine(letter.reason),
                ].map { Terminal.escaped($0) }
            }
        let widths = (0..<header.count - 1).map { column in rows.map { $0[column].count }.max() ?? 0 }
        let used = widths.reduce(0, +) + 2 * widths.count
        // A reason is never cut shorter than this, even on a narrow terminal.
        let reasonWidth = width.map { max(20, $0 - used) }
        var lines: [String] =
            letters.isEmpty
            ? []
            : rows.map { row in
                let reason = row[header.count - 1]
                var line = zip(row, widths).map { $0 + String(repeating: " ", count: $1 - $0.count) }.joined(separator: "  ")
                line += "  " + (reasonWidth.map { clip(reason, to: $0) } ?? reason)
                while line.last == " " { line.removeLast() }
                return line
            }
        let matching = reason.map { " matching reason \"\(Terminal.escaped($0))\"" } ?? ""
        lines.append("shown \(letters.count)\(matching) of \(counts.summary)")
        return lines.joined(separator: "\n")
    }

    /// `{"total":…,"inStream":…,"inMongo":…,"shown":…,"deadLetters":[…]}`, compact like every
    /// `--json` output; `inMongo` is null when MongoDB could not be read.
    static func json(_ letters: [DeadLetter], counts: DeadLetterCounts) -> String {
        func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        let items: [JSONValue] = letters.map { letter in
            .object(
                JSONObject([
                    ("id", .string(letter.id)), ("where", .string(letter.place.rawValue)), ("failedAt", text(letter.failedAt)), ("stream", text(letter.stream)),
                    ("entryId", text(letter.entryId)), ("eventType", text(letter.eventType)), ("eventId", text(letter.eventId)),
                    ("deliveries", letter.deliveries.map(JSONValue.int) ?? .null), ("reason", .string(letter.reason)),
                ]))
        }
        return Terminal.escaped(
            JSONWriter.string(
                of: .object(
                    JSONObject([
                        ("total", .int(counts.total)), ("inStream", .int(counts.stream)), ("inMongo", counts.archive.map(JSONValue.int) ?? .null),
                        ("shown", .int(Int64(letters.count))), ("deadLetters", .array(items)),
                    ]))))
    }

    /// "1 dead letter", "42 dead letters".
    static func count(_ count: Int) -> String {
        "\(count) dead letter\(count == 1 ? "" : "s")"
    }

    /// `text` cut to `width` characters, ending in "…" when cut.
    static func clip(_ text: String, to width: Int) -> String {
        text.count <= width ? text : String(text.prefix(max(0, width - 1))) + "…"
    }

    /// A multi-line reason (a server's message) folded into one table cell.
    private static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}
