import Hummingbird
import Logging
import SluiceCore
import SluiceRedis

/// `GET /api/analytics/analytics/realtime` and `/current`, answered exactly as ingest
/// answers them (`LiveReads`), so one proxy rule sends the seed's whole read API here.
struct LiveController: Sendable {
    let reads: LiveReads
    /// Ingest's visitor cookie, whose id `/current` reports back.
    let cookieName: String
    let logger: Logger

    /// Adds `/current` to `open`: a visitor's own ids, asked by their browser, never behind the login.
    func addCurrentRoute(to open: some RouterMethods<BasicRequestContext>) {
        open.get("current") { request, _ in
            let visitorId = VisitorCookieValue.visitorId(in: request.headers[values: .cookie], cookieName: cookieName)
            return JSONResponse.ok(try await live { try await reads.current(visitorId: visitorId) })
        }
    }

    /// Adds `/realtime` to `api`, the protected group.
    func addRealtimeRoute(to api: some RouterMethods<BasicRequestContext>) {
        api.get("realtime") { _, _ in JSONResponse.ok(try await live { try await reads.realtime() }) }
    }

    /// The answer of `read`, or 503 when Redis cannot give it.
    private func live(_ read: () async throws -> JSONObject) async throws(DashboardError) -> JSONObject {
        do {
            return try await read()
        } catch {
            logger.warning("live read failed", metadata: ["sluice.error": "\(error)"])
            throw .unavailable("the live counters are unavailable, retry later")
        }
    }
}
