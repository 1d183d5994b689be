import SluiceCore

/// One way a stored session, visitor or roll-up differs from its recount.
struct DerivedDifference: Equatable {
    /// What differs: a session, a visitor or a roll-up bucket.
    enum Subject: String, CaseIterable {
        case session, visitor, rollup
    }

    let subject: Subject
    /// The document's `_id`.
    let id: String
    /// The field or count that differs ("pageViews", "human page /pricing n", "document").
    let field: String
    let stored: String
    let recomputed: String

    /// "session s-1 pageViews: stored 3, recomputed 2".
    var line: String { "\(subject.rawValue) \(Terminal.escaped(id)) \(Terminal.escaped(field)): stored \(stored), recomputed \(recomputed)" }

    /// A count or time's text: a time as ISO 8601, a missing value as "none".
    static func text(_ value: Int64?, isTime: Bool = false) -> String {
        guard let value else { return "none" }
        return isTime ? Timestamp.iso8601(milliseconds: value) : String(value)
    }
}

/// How many differences of each subject a comparison found.
struct DifferenceSummary {
    let differences: [DerivedDifference]
    let sessions: Int
    let visitors: Int
    let buckets: Int

    /// "checked 12 sessions, 5 visitors, 26 roll-up buckets: 2 differences (1 session, 1 rollup)".
    var line: String {
        let checked =
            "checked \(sessions) session\(sessions == 1 ? "" : "s"), \(visitors) visitor\(visitors == 1 ? "" : "s"), "
            + "\(buckets) roll-up bucket\(buckets == 1 ? "" : "s")"
        guard !differences.isEmpty else { return checked + ": no difference" }
        let bySubject = DerivedDifference.Subject.allCases.compactMap { subject -> String? in
            let count = Set(differences.filter { $0.subject == subject }.map(\.id)).count
            return count == 0 ? nil : "\(count) \(subject.rawValue)\(count == 1 ? "" : "s")"
        }
        return checked + ": \(differences.count) difference\(differences.count == 1 ? "" : "s") in " + bySubject.joined(separator: ", ")
    }
}
