import Hummingbird
import SluiceCore
import SluiceReports

/// The user-journey page's markup: the search form, then what the search found — a choice
/// of visitors, a visitor's sessions (newest first, paged), and a chosen session's timeline.
enum JourneyPage {
    /// A visitor's page of sessions, and the cursor to the next page.
    struct Sessions {
        let visitorId: String
        let visitor: JSONObject?
        let sessions: [JSONObject]
        let next: SessionCursor?
    }

    /// A session and its events in time order.
    struct Timeline {
        let session: JSONObject
        let events: [JSONObject]
        let truncated: Bool
    }

    /// The page in the dashboard's `layout`: the form holding `query`, then `content`.
    static func page(query: String, content: String, layout: PageLayout, status: HTTPResponse.Status = .ok) -> Response {
        let body = """
            <style>tr.error{background:#fde8e8}.problem{color:#8a1c1c}tr[aria-current] td{font-weight:600}</style>
            <form class="controls" method="get" action="/journey"><label>Visitor id, user id or session id
            <input name="q" value="\(HTMLPage.escaped(query))" maxlength="\(JourneySearch.maxQueryLength)" required></label>
            <button type="submit">Find</button></form>
            \(content)
            """
        return layout.page(.journey, body: body).response(status: status)
    }

    /// A search that found nothing.
    static func nothingFound(_ query: String) -> String {
        #"<p id="nothing-found">Nothing found for “\#(HTMLPage.escaped(query))”: no visitor, user id or session has this id.</p>"#
    }

    /// A problem with the search itself.
    static func problem(_ text: String) -> String {
        #"<p id="problem" class="problem">\#(HTMLPage.escaped(text))</p>"#
    }

    /// The visitors a user id was seen on, to choose one.
    static func choices(_ query: String, _ matches: [JourneySearch.Match]) -> String {
        let items = matches.map { #"<li><a href="\#(link(q: $0.visitorId))">\#(HTMLPage.escaped($0.visitorId))</a> (\#($0.field))</li>"# }
        return "<p>“\(HTMLPage.escaped(query))” matches \(matches.count) visitors; choose one:</p><ul id=\"choices\">\(items.joined())</ul>"
    }

    /// The visitor's summary and a page of sessions; `chosen` is marked.
    static func sessions(_ page: Sessions, chosen: String?) -> String {
        var out = "<h2>Visitor \(HTMLPage.escaped(page.visitorId))</h2>"
        if let visitor = page.visitor {
            var users: [String] = []
            if case .array(let ids)? = visitor["userIds"] { users = ids.compactMap(\.stringValue) }
            let cards = [
                ("First visit", date(visitor["firstVisit"])), ("Last visit", date(visitor["lastVisit"])), ("Visits", count(visitor["visits"])),
                ("Page views", count(visitor["pageViews"])), ("User ids", users.isEmpty ? "none" : HTMLPage.escaped(users.joined(separator: ", "))),
            ]
            out +=
                #"<div class="cards" id="visitor">"# + cards.map { #"<div class="card"><div class="label">\#($0.0)</div><div>\#($0.1)</div></div>"# }.joined()
                + "</div>"
        } else {
            out += "<p>The visitor's own document is not stored yet; its sessions are.</p>"
        }
        let rows = page.sessions.map { session -> String in
            let id = session["_id"]?.stringValue ?? ""
            let current = id == chosen ? #" aria-current="true""# : ""
            let start = session["startTime"]?.stringValue.flatMap(Timestamp.parseISO8601)
            let last = session["lastActivity"]?.stringValue.flatMap(Timestamp.parseISO8601)
            let duration = start.flatMap { start in last.map { ReportFormat.duration(milliseconds: Double($0 - start)) } } ?? "—"
            return """
                <tr\(current)><td><a href="\(link(q: page.visitorId, session: id))">\(date(session["startTime"]))</a></td>\
                <td>\(HTMLPage.escaped(session["entryPage"]?.stringValue ?? "—"))</td><td>\(count(session["pageViews"]))</td>\
                <td>\(count(session["events"]))</td><td>\(duration)</td></tr>
                """
        }
        out += """
            <h3>Sessions, newest first</h3>
            <table id="sessions"><thead><tr><th>Started (UTC)</th><th>Entry page</th><th>Page views</th><th>Events</th><th>Duration</th></tr></thead>
            <tbody>\(rows.joined(separator: "\n"))</tbody></table>
            """
        if let next = page.next {
            out += #"<p><a id="older" href="\#(link(q: page.visitorId, session: chosen, cursor: next.token))">Older sessions</a></p>"#
        }
        return out
    }

    /// The chosen session's summary and timeline.
    static func timeline(_ timeline: Timeline) -> String {
        let id = timeline.session["_id"]?.stringValue ?? ""
        let cut = timeline.truncated ? "<p>Only the first \(timeline.events.count) events are shown.</p>" : ""
        return """
            <h2>Session \(HTMLPage.escaped(id))</h2>
            <p>Started \(date(timeline.session["startTime"])), entry page \(HTMLPage.escaped(timeline.session["entryPage"]?.stringValue ?? "—")), \
            \(timeline.events.count) events in time order; problems are marked ⚠.</p>
            \(cut)\(JourneyTimeline.table(timeline.events))
            """
    }

    /// `/journey` with its parameters, each percent-encoded.
    static func link(q: String, session: String? = nil, cursor: String? = nil) -> String {
        let parameters = [("q", q), ("session", session), ("cursor", cursor)].compactMap { name, value in value.map { "\(name)=\(encoded($0))" } }
        return HTMLPage.escaped("/journey?" + parameters.joined(separator: "&"))
    }

    /// `value` with everything but unreserved characters percent-encoded.
    private static func encoded(_ value: String) -> String {
        var out = ""
        for byte in value.utf8 {
            let scalar = Unicode.Scalar(byte)
            if ("0"..."9").contains(scalar) || ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || "-_.~".unicodeScalars.contains(scalar) {
                out.unicodeScalars.append(scalar)
            } else {
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded
            }
        }
        return out
    }

    /// A stored date as `2026-01-01 10:00:00`.
    private static func date(_ value: JSONValue?) -> String {
        guard let text = value?.stringValue, text.count >= 19 else { return "—" }
        return HTMLPage.escaped(text.prefix(10) + " " + text.dropFirst(11).prefix(8))
    }

    /// A stored count with thousands separators.
    private static func count(_ value: JSONValue?) -> String {
        value?.numberValue.map { ReportFormat.count(Int64($0)) } ?? "—"
    }
}

extension String {
    /// A one-digit hex byte with its leading zero.
    fileprivate var leftPadded: String { count == 1 ? "0" + self : self }
}
