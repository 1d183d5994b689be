import Foundation

/// Progress of a long operation on stderr: a redrawn bar on a terminal, else a
/// line every 10% (so logs of a piped or scheduled run stay short).
struct ProgressReporter {
    /// Below this many items an operation is quick and reports nothing.
    static let threshold = 100

    let label: String
    let total: Int
    private let interactive: Bool
    private var lastShown = -1

    /// A reporter for `total` items, or nil when there are too few to bother.
    init?(label: String, total: Int, interactive: Bool = Terminal.isTTY(STDERR_FILENO)) {
        guard total > Self.threshold else { return nil }
        self.label = label
        self.total = total
        self.interactive = interactive
    }

    /// The text to show after `done` items, or nil when nothing new is worth showing.
    mutating func update(done: Int) -> String? {
        let percent = min(100, done * 100 / max(total, 1))
        if interactive {
            guard percent != lastShown else { return nil }
            lastShown = percent
            let width = 30
            let filled = width * percent / 100
            let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
            return "\r\(label) [\(bar)] \(percent)% \(done)/\(total)" + (done >= total ? "\n" : "")
        }
        let step = percent / 10 * 10
        guard step > 0, step > lastShown else { return nil }
        lastShown = step
        return "\(label): \(step)% (\(done)/\(total))\n"
    }

    /// Items per pipeline: at most `limit`, and small enough that progress moves every 5%.
    static func chunkSize(total: Int, limit: Int) -> Int {
        max(1, min(limit, max(10, (total + 19) / 20)))
    }

    /// Shows the progress after `done` items on stderr.
    mutating func show(done: Int) {
        if let text = update(done: done) { FileHandle.standardError.write(Data(text.utf8)) }
    }
}
