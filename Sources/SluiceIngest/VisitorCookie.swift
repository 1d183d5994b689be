import Foundation
import Hummingbird
import SluiceCore

/// The first-party visitor cookie: names a browser across visits for a year.
enum VisitorCookie {
    static let maxAgeSeconds = 365 * 24 * 3600

    /// A fresh random visitor id.
    static func newVisitorId() -> String { RandomID.uuidString() }

    /// The visitor id the request's cookie `name` carries, if it is a usable one.
    static func visitorId(in request: Request, cookieName name: String) -> String? {
        guard let value = CookieHeader.value(of: name, in: request.headers[values: .cookie]).map(String.init), isValid(value) else { return nil }
        return value
    }

    /// Whether a cookie value can be used as a visitor id (anything else is replaced).
    private static func isValid(_ value: String) -> Bool {
        !value.isEmpty && value.utf8.count <= 100
            && value.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2D || $0 == 0x5F }
    }

    /// The cookie; `Secure` when the request came over HTTPS (directly or via a trusted proxy).
    /// `domain` (`SLUICE_COOKIE_DOMAIN`) shares it with the site's other hosts, so a
    /// site's own server reads the same visitor id.
    static func cookie(name: String, visitorId: String, domain: String? = nil, secure: Bool) -> Cookie {
        Cookie(name: name, value: visitorId, maxAge: maxAgeSeconds, domain: domain, path: "/", secure: secure, httpOnly: true, sameSite: .lax)
    }
}
