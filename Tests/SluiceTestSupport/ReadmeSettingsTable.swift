import Foundation

/// README.md's configuration table (variable, flag, used by, default, meaning), checked
/// against what a process declares, so the table and the code cannot drift apart.
public enum ReadmeSettingsTable {
    /// One row of the table.
    public struct Row: Sendable {
        /// `SLUICE_…`.
        public let variable: String
        /// The flag cell, e.g. `--batch-size`.
        public let flag: String
        /// The "used by" cell.
        public let usedBy: String
        /// The default cell.
        public let defaultCell: String
    }

    /// One declared setting as the table should show it: `defaultValue` empty when it has none.
    public typealias Declared = (variable: String, flag: String, defaultValue: String)

    /// The rows of README.md's table (lines starting `| \`SLUICE_`).
    public static func rows() throws -> [Row] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        return text.split(separator: "\n").filter { $0.hasPrefix("| `SLUICE_") }.map { line in
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            func unquoted(_ cell: String) -> String { cell.trimmingCharacters(in: CharacterSet(charactersIn: "`")) }
            return Row(variable: unquoted(cells[0]), flag: unquoted(cells[1]), usedBy: cells[2], defaultCell: cells[3])
        }
    }

    /// What differs between the rows whose "used by" names `process` (or `all`) and `declared`:
    /// a setting missing from either side, a different flag, or a default the row does not show.
    public static func problems(process: String, declared: [Declared]) throws -> [String] {
        let rows = try rows().filter { $0.usedBy == "all" || $0.usedBy.contains(process) }
        var problems: [String] = []
        for setting in declared {
            guard let row = rows.first(where: { $0.variable == setting.variable }) else {
                problems.append("\(setting.variable): declared by \(process) but README's row does not list \(process)")
                continue
            }
            if row.flag != "--" + setting.flag { problems.append("\(setting.variable): README says \(row.flag), the code --\(setting.flag)") }
            if setting.defaultValue.isEmpty {
                if row.defaultCell.hasPrefix("`") { problems.append("\(setting.variable): README gives a default \(row.defaultCell), the code none") }
            } else if !row.defaultCell.contains("`\(setting.defaultValue)`") {
                problems.append("\(setting.variable): README's default \(row.defaultCell) is not `\(setting.defaultValue)`")
            }
        }
        for row in rows where !declared.contains(where: { $0.variable == row.variable }) {
            problems.append("\(row.variable): README says \(process) reads it, but \(process) does not declare it")
        }
        return problems
    }
}
