import Hummingbird

/// `GET /healthz`: `{"status": "ok"}` while the process runs.
struct HealthController: Sendable {
    /// Adds `/healthz` to `api`, a group behind the login.
    func addRoutes(to api: some RouterMethods<BasicRequestContext>) {
        api.get("healthz") { _, _ in JSONResponse.ok(.init([("status", .string("ok"))])) }
    }
}
