/// The login form, shown again with the problem after a failed attempt.
enum LoginPage {
    /// The form; `problem` says why the last attempt failed, `isOpen` that no token is needed.
    static func form(problem: String?, isOpen: Bool) -> HTMLPage {
        let note =
            isOpen
            ? "<p>No SLUICE_ADMIN_TOKEN is set: this dashboard is open and listens on this machine only. <a href=\"/\">Go to the dashboard</a>.</p>"
            : ""
        let alert = problem.map { "<p role=\"alert\"><strong>\(HTMLPage.escaped($0))</strong></p>" } ?? ""
        return HTMLPage(
            title: "Log in",
            body: """
                <h1>Sluice dashboard</h1>
                \(note)\(alert)
                <form method="post" action="/login">
                <label for="token">Admin token</label>
                <input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
                <button type="submit">Log in</button>
                </form>
                """)
    }
}
