import Hummingbird

/// `GET /`: the dashboard's index page, for now the list of routes (the overview page
/// takes its place), and `GET /healthz`.
struct IndexController: Sendable {
    /// The routes the index lists, with what each answers.
    static let routes: [(path: String, summary: String)] = [
        ("/api/analytics/analytics/visitor/{visitorId}", "a visitor and their sessions, newest first (?limit=, ?cursor=)"),
        ("/api/analytics/analytics/session/{sessionId}", "a session and its events of every kind, in time order"),
        ("/api/analytics/analytics/realtime", "live visitors, events and page views of the last 5 minutes"),
        ("/api/analytics/analytics/current", "the calling browser's own visitor and session ids"),
        ("/healthz", "liveness"),
    ]

    let access: DashboardAccess

    /// Adds `/` to `pages` and `/healthz` to `api`; both groups sit behind the login.
    func addRoutes(pages: some RouterMethods<BasicRequestContext>, api: some RouterMethods<BasicRequestContext>) {
        pages.get("/") { _, _ in page().response() }
        api.get("healthz") { _, _ in JSONResponse.ok(.init([("status", .string("ok"))])) }
    }

    /// The route list, with a logout button when a token is set.
    private func page() -> HTMLPage {
        let items = Self.routes.map { "<li><code>GET \(HTMLPage.escaped($0.path))</code>: \(HTMLPage.escaped($0.summary))</li>" }
        let logout = access.isOpen ? "<p>Open: no SLUICE_ADMIN_TOKEN is set, so this dashboard listens on this machine only.</p>"
            : #"<form method="post" action="/logout"><button type="submit">Log out</button></form>"#
        return HTMLPage(
            title: "Dashboard",
            body: """
                <h1>Sluice dashboard</h1>
                <p>The seed's read API, as JSON (docs/dashboard.md, docs/dashboard.openapi.json):</p>
                <ul>
                \(items.joined(separator: "\n"))
                </ul>
                \(logout)
                """)
    }
}
