import Hummingbird
import SluiceCore

/// Who may read the dashboard: anyone when no `SLUICE_ADMIN_TOKEN` is set (it then listens
/// on loopback only), otherwise a caller presenting the token as `Authorization: Bearer`
/// or the login cookie `POST /login` set.
struct DashboardAccess: Sendable {
    /// The login cookie's name.
    static let cookieName = "sluice_dashboard"

    let token: String?
    let logins: LoginSessions

    /// Whether the dashboard is open to anyone (no token set).
    var isOpen: Bool { token == nil }

    /// Whether `request` may read protected routes.
    func admits(_ request: Request) -> Bool {
        guard let token else { return true }
        if let authorization = request.headers[.authorization], authorization.hasPrefix("Bearer ") {
            return ConstantTime.equal(String(authorization.dropFirst(7)), token)
        }
        return loginId(in: request).map { logins.isOpen($0) } ?? false
    }

    /// Whether `presented` (the login form's field) is the token, compared in constant time.
    func accepts(token presented: String) -> Bool {
        guard let token else { return true }
        return ConstantTime.equal(presented, token)
    }

    /// The login cookie's value in `request`, if any.
    func loginId(in request: Request) -> String? {
        CookieHeader.value(of: Self.cookieName, in: request.headers[values: .cookie]).map(String.init)
    }

    /// The cookie that carries login `id`: HttpOnly, SameSite=Strict, for the whole dashboard.
    static func loginCookie(_ id: String) -> Cookie {
        Cookie(name: cookieName, value: id, maxAge: LoginSessions.lifetimeSeconds, path: "/", httpOnly: true, sameSite: .strict)
    }

    /// The cookie that removes the login cookie (logout).
    static let expiredLoginCookie = Cookie(name: cookieName, value: "", maxAge: 0, path: "/", httpOnly: true, sameSite: .strict)
}
