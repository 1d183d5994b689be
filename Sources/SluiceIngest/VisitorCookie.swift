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
        VisitorCookieValue.visitorId(in: request.headers[values: .cookie], cookieName: name)
    }

    /// The cookie; `Secure` when the request came over HTTPS (directly or via a trusted proxy).
    /// `domain` (`SLUICE_COOKIE_DOMAIN`) shares it with the site's other hosts, so a
    /// site's own server reads the same visitor id.
    static func cookie(name: String, visitorId: String, domain: String? = nil, secure: Bool) -> Cookie {
        Cookie(name: name, value: visitorId, maxAge: maxAgeSeconds, domain: domain, path: "/", secure: secure, httpOnly: true, sameSite: .lax)
    }
}
