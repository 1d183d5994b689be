import Hummingbird

/// `GET /login` (the form), `POST /login` (form field `token`; sets the login cookie) and
/// `POST /logout` (ends the login). The login routes are open; logout sits with the pages.
struct LoginController: Sendable {
    /// Largest login form body read.
    static let maxFormBytes = 4096

    let access: DashboardAccess

    /// Adds the open login routes to `router`.
    func addLoginRoutes(to router: some RouterMethods<BasicRequestContext>) {
        router.get("login") { _, _ in
            LoginPage.form(problem: nil, isOpen: access.isOpen).response()
        }
        router.post("login") { request, _ in try await login(request) }
    }

    /// Adds `POST /logout` to `pages`, a group behind the login.
    func addLogoutRoute(to pages: some RouterMethods<BasicRequestContext>) {
        pages.post("logout") { request, _ in
            if let id = access.loginId(in: request) { access.logins.close(id) }
            var response = Response(status: .seeOther, headers: [.location: "/login", .cacheControl: "no-store"])
            response.setCookie(DashboardAccess.expiredLoginCookie)
            return response
        }
    }

    /// Checks the form's token: the login cookie and a 303 to `/` when right, the form
    /// again with the problem when not.
    private func login(_ request: Request) async throws -> Response {
        if access.isOpen { return Response(status: .seeOther, headers: [.location: "/", .cacheControl: "no-store"]) }
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: Self.maxFormBytes)
        } catch {
            return LoginPage.form(problem: "The form was larger than \(Self.maxFormBytes) bytes.", isOpen: false).response(status: .contentTooLarge)
        }
        let presented = try? URLEncodedFormDecoder().decode(LoginForm.self, from: String(buffer: body)).token
        guard let presented, !presented.isEmpty else {
            return LoginPage.form(problem: "Enter the token (SLUICE_ADMIN_TOKEN).", isOpen: false).response(status: .unauthorized)
        }
        guard access.accepts(token: presented) else {
            return LoginPage.form(problem: "That is not the token.", isOpen: false).response(status: .unauthorized)
        }
        var response = Response(status: .seeOther, headers: [.location: "/", .cacheControl: "no-store"])
        response.setCookie(DashboardAccess.loginCookie(access.logins.open()))
        return response
    }
}

/// The login form's fields.
private struct LoginForm: Decodable {
    let token: String
}
