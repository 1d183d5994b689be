import Foundation

/// What `sluicectl` needs from the terminal: is it one, how wide, and a yes/no question.
enum Terminal {
    static func isTTY(_ descriptor: Int32) -> Bool { isatty(descriptor) == 1 }

    /// Writes one line to stderr (warnings, progress), keeping stdout for results.
    static func warn(_ line: String) {
        FileHandle.standardError.write(Data((escaped(line, keepingNewlines: true) + "\n").utf8))
    }

    /// Columns to fit table output in: the terminal's width when stdout is one,
    /// else `$COLUMNS`, else nil (no limit, e.g. when piped into a file).
    static func outputWidth(environment: [String: String] = ProcessInfo.processInfo.environment) -> Int? {
        if isTTY(STDOUT_FILENO) {
            var size = winsize()
            if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        }
        return environment["COLUMNS"].flatMap { Int($0) }.flatMap { $0 > 0 ? $0 : nil }
    }

    /// Refuses to go on when a question would be needed but nobody can answer it.
    static func requireConfirmable(_ action: String, stdinIsTerminal: Bool = isTTY(STDIN_FILENO)) throws {
        guard stdinIsTerminal else {
            throw ControlError("refusing to \(action) without confirmation: stdin is not a terminal; pass --yes")
        }
    }

    /// Asks `question` on stderr and reads the answer from stdin; only y/yes agrees.
    static func confirm(_ question: String) -> Bool {
        FileHandle.standardError.write(Data((escaped(question) + " [y/N] ").utf8))
        guard let answer = readLine() else { return false }
        return ["y", "yes"].contains(answer.trimmingCharacters(in: .whitespaces).lowercased())
    }
}
