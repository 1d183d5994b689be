import SluiceCore
import SluiceReports

/// One session's events as the rows of the journey page's timeline, in the order given
/// (time order): when, what kind, what happened, the figures it carries, and whether it
/// went wrong (a failure, a 4xx or 5xx answer, unsatisfied feedback), marked in words as
/// well as in colour.
enum JourneyTimeline {
    /// A row of the timeline, before escaping.
    struct Row: Equatable {
        let time: String
        let kind: String
        let what: String
        let details: [String]
        /// Why the row is marked as a problem; nil when it is not.
        let problem: String?
    }

    /// The table for `events`.
    static func table(_ events: [JSONObject]) -> String {
        let rows = events.map(row).map { row in
            let problem = row.problem.map { #" <strong class="problem">⚠ \#(HTMLPage.escaped($0))</strong>"# } ?? ""
            return """
                <tr\(row.problem == nil ? "" : #" class="error""#) data-kind="\(HTMLPage.escaped(row.kind))"><td>\(HTMLPage.escaped(row.time))</td>\
                <td>\(HTMLPage.escaped(row.kind))</td><td>\(HTMLPage.escaped(row.what))\(problem)</td>\
                <td>\(HTMLPage.escaped(row.details.joined(separator: " · ")))</td></tr>
                """
        }
        return """
            <table id="timeline"><thead><tr><th>Time (UTC)</th><th>Kind</th><th>What</th><th>Details</th></tr></thead>
            <tbody>\(rows.joined(separator: "\n"))</tbody></table>
            """
    }

    /// What the page shows of one stored event.
    static func row(_ event: JSONObject) -> Row {
        func text(_ field: String) -> String? { event[field]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } }
        func number(_ field: String) -> Double? { event[field]?.numberValue }
        func milliseconds(_ field: String, _ label: String) -> String? { number(field).map { "\(label) \(ReportFormat.duration(milliseconds: $0))" } }
        func failure() -> String? { event["success"] == .bool(false) ? "failed" + (text("errorMessage").map { ": \($0)" } ?? "") : nil }
        let kind = text("kind") ?? "event"
        let time = text("timestamp").map { String($0.dropFirst(11).prefix(8)) } ?? "—"
        switch kind {
        case "pageview":
            let details = [milliseconds("timeSpent", "time spent"), number("scrollDepth").map { "scrolled \(Int($0))%" }, text("title")]
            return Row(time: time, kind: kind, what: text("path") ?? text("url") ?? "(no page)", details: details.compactMap { $0 }, problem: nil)
        case "chat":
            let what = [text("agentName") ?? text("agentId"), text("model")].compactMap { $0 }.joined(separator: " · ")
            let details = [milliseconds("responseTime", "answered in"), text("language"), text("userMessage").map { "asked: \(excerpt($0))" }]
            let problem = event["satisfied"] == .bool(false) ? "unsatisfied feedback" + (text("feedback").map { ": \(excerpt($0))" } ?? "") : nil
            return Row(time: time, kind: kind, what: what.isEmpty ? "chat" : what, details: details.compactMap { $0 }, problem: problem)
        case "tool":
            let details = [text("category"), milliseconds("executionTime", "ran")]
            return Row(time: time, kind: kind, what: text("toolName") ?? "tool", details: details.compactMap { $0 }, problem: failure())
        case "lab":
            let details = [text("experimentType"), text("model"), milliseconds("processingTime", "processed in")]
            return Row(time: time, kind: kind, what: text("experimentName") ?? "experiment", details: details.compactMap { $0 }, problem: failure())
        case "api":
            let status = number("statusCode").map { Int($0) }
            let what = [text("method"), text("endpoint")].compactMap { $0 }.joined(separator: " ")
            let details = [status.map { "status \($0)" }, milliseconds("responseTime", "answered in")]
            let problem = status.flatMap { $0 >= 500 ? "server error \($0)" : $0 >= 400 ? "client error \($0)" : nil }
            return Row(time: time, kind: kind, what: what.isEmpty ? "API call" : what, details: details.compactMap { $0 }, problem: problem)
        default:
            let what = [text("eventType"), text("eventName")].compactMap { $0 }.joined(separator: "/")
            return Row(time: time, kind: kind, what: what.isEmpty ? kind : what, details: [], problem: failure())
        }
    }

    /// The first 80 characters of a message, enough to recognise it.
    private static func excerpt(_ text: String) -> String {
        text.count <= 80 ? text : String(text.prefix(79)) + "…"
    }
}
