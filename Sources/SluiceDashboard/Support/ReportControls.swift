import Hummingbird
import SluiceReports

/// The report controls' values as the query string gave them (`range`, `from`, `to`,
/// `tz`, `audience`, `site`, `limit`, and on the funnels page `funnel`), and the form
/// that sends them back by GET.
struct ReportControls: Sendable {
    let range: String?
    let from: String?
    let to: String?
    let timeZone: String?
    let audience: String?
    let site: String?
    let limit: String?
    /// The funnel the funnels page shows (`funnel`).
    let funnel: String?
    /// The sites the selector offers; empty without a sites file (no selector then).
    let sites: [String]
    /// The funnels the funnel selector offers; empty on other pages (no selector then).
    let funnels: [String]

    /// The values of `query`; `funnels` are offered on the funnels page.
    init(query: Parameters, sites: DashboardSites, funnels: [String] = []) {
        func value(_ name: String) -> String? { query[Substring(name)].map(String.init) }
        range = value("range")
        from = value("from")
        to = value("to")
        timeZone = value("tz")
        audience = value("audience")
        site = value("site")
        limit = value("limit")
        funnel = value("funnel")
        self.sites = sites.ids
        self.funnels = funnels
    }

    /// The query string that asks for these values again, with `extra` pairs added (`table=pages`).
    func queryString(adding extra: [(String, String)] = []) -> String {
        let pairs =
            [("range", range), ("from", from), ("to", to), ("tz", timeZone), ("audience", audience), ("site", site), ("limit", limit), ("funnel", funnel)]
            .compactMap { name, value in value.map { (name, $0) } } + extra
        return pairs.map { "\($0)=\(Self.percentEncoded($1))" }.joined(separator: "&")
    }

    /// The GET form: range preset, custom days, site, funnel, audience and time zone.
    func form(action: String) -> String {
        let selectedRange = range ?? (from != nil || to != nil ? "custom" : "7d")
        let ranges = [("today", "Today"), ("yesterday", "Yesterday"), ("7d", "Last 7 days"), ("30d", "Last 30 days"), ("custom", "Custom")]
        let audiences = [("humans", "People only"), ("all", "Include bots"), ("bots", "Bots only")]
        var fields = [
            Self.select("range", "Range", ranges, selected: selectedRange),
            Self.input("from", "From", type: "date", value: from),
            Self.input("to", "To", type: "date", value: to),
        ]
        if !sites.isEmpty { fields.append(Self.select("site", "Site", sites.map { ($0, $0) }, selected: site ?? sites[0])) }
        if !funnels.isEmpty { fields.append(Self.select("funnel", "Funnel", funnels.map { ($0, $0) }, selected: funnel ?? funnels[0])) }
        fields.append(Self.select("audience", "Audience", audiences, selected: audience ?? "humans"))
        fields.append(Self.input("tz", "Time zone", type: "text", value: timeZone, placeholder: "site's zone or UTC"))
        if let limit { fields.append(#"<input type="hidden" name="limit" value="\#(HTMLPage.escaped(limit))">"#) }
        return #"<form class="controls" method="get" action="\#(action)">\#(fields.joined())<button type="submit">Show</button></form>"#
    }

    private static func select(_ name: String, _ label: String, _ options: [(String, String)], selected: String) -> String {
        let items = options.map { value, text in
            #"<option value="\#(HTMLPage.escaped(value))"\#(value == selected ? " selected" : "")>\#(HTMLPage.escaped(text))</option>"#
        }
        return #"<label>\#(label)<select name="\#(name)">\#(items.joined())</select></label>"#
    }

    private static func input(_ name: String, _ label: String, type: String, value: String?, placeholder: String = "") -> String {
        #"<label>\#(label)<input type="\#(type)" name="\#(name)" value="\#(HTMLPage.escaped(value ?? ""))" placeholder="\#(placeholder)"></label>"#
    }

    /// `text` safe as a query-string value.
    static func percentEncoded(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.append(Character(Unicode.Scalar(byte)))
            default:
                let hex = Array("0123456789ABCDEF")
                out += "%\(hex[Int(byte >> 4)])\(hex[Int(byte & 15)])"
            }
        }
        return out
    }
}
