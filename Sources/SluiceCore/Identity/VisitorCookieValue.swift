/// The visitor id a request's visitor cookie carries, read the same way by ingest (which
/// sets the cookie) and the dashboard (whose `/current` reports it back to the browser).
public enum VisitorCookieValue {
    /// The id in the first cookie called `cookieName` of `headerValues` (`Cookie` headers),
    /// if it is a usable visitor id: 1 to 100 letters, digits, `-` or `_`.
    public static func visitorId(in headerValues: [String], cookieName: String) -> String? {
        guard let value = CookieHeader.value(of: cookieName, in: headerValues).map(String.init), isValid(value) else { return nil }
        return value
    }

    /// Whether a cookie value can be used as a visitor id (anything else is replaced).
    private static func isValid(_ value: String) -> Bool {
        !value.isEmpty && value.utf8.count <= 100
            && value.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2D || $0 == 0x5F }
    }
}
