import Hummingbird
import SluiceCore

/// An answer other than 200 from the dashboard's JSON routes, in ingest's error body:
/// `{"error": code, "details": [{"field", "problem"}]}`.
struct DashboardError: HTTPResponseError {
    let status: HTTPResponse.Status
    let code: String
    let details: [ValidationProblem]
    var retryAfterSeconds: Int?

    /// A query parameter that cannot be used (400 `invalid_query`).
    static func invalidQuery(_ field: String, _ problem: String) -> DashboardError {
        DashboardError(status: .badRequest, code: "invalid_query", details: [ValidationProblem(field: field, problem: problem)])
    }

    /// No document with the id in the path (404 `not_found`).
    static func notFound(_ field: String, _ problem: String) -> DashboardError {
        DashboardError(status: .notFound, code: "not_found", details: [ValidationProblem(field: field, problem: problem)])
    }

    /// A store that did not answer (503 `unavailable`, retry in a second).
    static func unavailable(_ problem: String) -> DashboardError {
        DashboardError(
            status: .serviceUnavailable, code: "unavailable", details: [ValidationProblem(field: "(server)", problem: problem)], retryAfterSeconds: 1)
    }

    /// A protected JSON route asked without the token or a login cookie (401 `unauthorized`).
    static let unauthorized = DashboardError(
        status: .unauthorized, code: "unauthorized",
        details: [
            ValidationProblem(field: "authorization", problem: "this route needs Authorization: Bearer <SLUICE_ADMIN_TOKEN> or the cookie POST /login sets")
        ])

    /// The JSON error body, with `Retry-After` on 503 and `WWW-Authenticate` on 401.
    func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = JSONObject([
            ("error", .string(code)),
            ("details", .array(details.map { .object(JSONObject([("field", .string($0.field)), ("problem", .string($0.problem))])) })),
        ])
        var headers: HTTPFields = [.contentType: "application/json", .cacheControl: "no-store"]
        if let retryAfterSeconds { headers[.retryAfter] = String(retryAfterSeconds) }
        if status == .unauthorized { headers[.wwwAuthenticate] = "Bearer" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: JSONWriter.bytes(of: .object(body)))))
    }
}
