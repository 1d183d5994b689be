/// One reason an event was refused: the field (with its path in a batch) and what is wrong.
public struct ValidationProblem: Sendable, Equatable, CustomStringConvertible {
    /// The field, e.g. `agentId`, `properties.$where` or `batch[3].url`.
    public let field: String
    /// What is wrong with it, in words a client developer can act on.
    public let problem: String

    /// A problem with `field`.
    public init(field: String, problem: String) {
        self.field = field
        self.problem = problem
    }

    public var description: String { "\(field): \(problem)" }

    /// The most problems a validation collects: enough to fix a payload in one
    /// round, and a bound on what a body of 40,000 bad keys can make ingest hold.
    public static let mostReported = 100

    /// A key as it appears in a field path: NUL spelled `\u0000`, and cut to its
    /// first 64 bytes (then `…`), so a path stays short however long the key.
    package static func fieldName(_ key: String) -> String {
        let shown = key.utf8.count > 64 ? String(decoding: key.utf8.prefix(64), as: UTF8.self) + "…" : key
        return shown.replacing("\u{0}", with: "\\u0000")
    }
}
