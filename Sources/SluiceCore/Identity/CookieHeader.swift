/// Reads one cookie out of `Cookie` header values without parsing the others.
///
/// The same rules as Hummingbird's `Cookies` (pairs split on `;`, leading
/// whitespace dropped, the name up to the first `=`, the value as sent, the
/// first pair with the name wins), at a fraction of the cost: ingest reads one
/// cookie per request, and parsing every cookie a site sets measured hot under
/// load (docs/performance.md, "What changed since the first run").
public enum CookieHeader {
    /// The value of the first cookie called `name` in `headerValues`, or nil.
    public static func value(of name: String, in headerValues: [String]) -> Substring? {
        for header in headerValues {
            var rest = Substring(header)
            while !rest.isEmpty {
                let end = rest.utf8.firstIndex(of: UInt8(ascii: ";")) ?? rest.endIndex
                let pair = rest[..<end].drop { $0 == " " || $0 == "\t" }
                if let equals = pair.utf8.firstIndex(of: UInt8(ascii: "=")), pair[..<equals].utf8.elementsEqual(name.utf8) {
                    return pair[pair.index(after: equals)...]
                }
                rest = end == rest.endIndex ? "" : rest[rest.index(after: end)...]
            }
        }
        return nil
    }
}
