import Hummingbird

/// Lets through only the callers `DashboardAccess` admits. Added to every router group
/// of protected routes: JSON routes refuse with 401 and ingest's error body, pages send
/// the browser to the login form.
struct AdminGate<Context: RequestContext>: RouterMiddleware {
    /// How a refused caller is answered.
    enum Refusal: Sendable {
        /// 401 with `{"error": "unauthorized", ...}`, for API routes.
        case json
        /// 303 to `/login`, for pages.
        case loginPage
    }

    let access: DashboardAccess
    let refusal: Refusal

    /// Passes an admitted request on; refuses any other as `refusal` says.
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard access.admits(request) else {
            switch refusal {
            case .json: throw DashboardError.unauthorized
            case .loginPage: return Response(status: .seeOther, headers: [.location: "/login", .cacheControl: "no-store"])
            }
        }
        return try await next(request, context)
    }
}
