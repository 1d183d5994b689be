/// The frame every dashboard page shares: the stylesheet, the navigation bar linking
/// every page (the current one marked), the report controls when the page has them, an
/// error box, and a logout button when a token is set.
struct PageLayout: Sendable {
    /// Whether the dashboard runs without a token (then there is no logout).
    let isOpen: Bool

    /// `body` framed as `page`, with `controls` (the date range, site, audience and time
    /// zone form; nil for a page without them) and `error` (a problem shown above the body).
    func page(_ page: DashboardPage, controls: ReportControls? = nil, error: String? = nil, body: String) -> HTMLPage {
        let links = DashboardPage.allCases.map { item in
            let current = item == page ? #" aria-current="page""# : ""
            return #"<a href="\#(item.path)"\#(current)>\#(HTMLPage.escaped(item.title))</a>"#
        }
        let logout =
            isOpen
            ? #"<span class="muted">open: local only</span>"#
            : #"<form method="post" action="/logout"><button type="submit">Log out</button></form>"#
        let problem = error.map { #"<p class="error" role="alert">\#(HTMLPage.escaped($0))</p>"# } ?? ""
        return HTMLPage(
            title: page.title,
            body: """
                <nav><strong>Sluice</strong> \(links.joined(separator: " ")) \(logout)</nav>
                <h1>\(HTMLPage.escaped(page.title))</h1>
                \(controls?.form(action: page.path) ?? "")
                \(problem)
                \(body)
                """,
            head: "<style>\(PageStyle.css)</style>")
    }
}
