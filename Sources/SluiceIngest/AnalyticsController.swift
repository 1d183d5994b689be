import HTTPTypes
import Hummingbird
import SluiceCore
import SluiceRedis

/// The live read routes, answered from Redis (ingest never reads MongoDB) by the
/// `LiveReads` the dashboard serves them with too.
///
/// `/current` only ever answers about the caller's own visitor cookie.
/// `/realtime` gives aggregate counts; when `SLUICE_ADMIN_TOKEN` is set it
/// requires it (`Authorization: Bearer <token>`), compared in constant time.
struct AnalyticsController: Sendable {
    let reads: LiveReads
    let cookieName: String
    let adminToken: String?

    func addRoutes(to router: Router<IngestRequestContext>) {
        let group = router.group("api/analytics/analytics")
        group.get("current") { request, _ in try await current(request) }
        group.get("realtime") { request, _ in try await realtime(request) }
    }

    private func current(_ request: Request) async throws -> Response {
        let visitorId = VisitorCookie.visitorId(in: request, cookieName: cookieName)
        return json(try await live { try await reads.current(visitorId: visitorId) })
    }

    private func realtime(_ request: Request) async throws -> Response {
        if let adminToken {
            let presented = request.headers[.authorization].flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : nil }
            guard let presented, ConstantTime.equal(presented, adminToken) else {
                throw IngestError(
                    status: .unauthorized, code: "unauthorized",
                    details: [ValidationProblem(field: "authorization", problem: "this route needs Authorization: Bearer <SLUICE_ADMIN_TOKEN>")])
            }
        }
        return json(try await live { try await reads.realtime() })
    }

    /// The answer of `read`, or 503 when Redis cannot give it.
    private func live(_ read: () async throws -> JSONObject) async throws(IngestError) -> JSONObject {
        do {
            return try await read()
        } catch {
            throw IngestError.unavailable("the live counters are unavailable, retry later", retryAfterSeconds: 1)
        }
    }

    private func json(_ object: JSONObject) -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: JSONWriter.bytes(of: .object(object)))))
    }
}
