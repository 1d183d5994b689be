import FoundationEssentials
import HTTPTypes
import Hummingbird
import SluiceCore
import SluiceRedis

/// The live read routes, answered from Redis (ingest never reads MongoDB).
///
/// `/current` only ever answers about the caller's own visitor cookie.
/// `/realtime` gives aggregate counts; when `SLUICE_ADMIN_TOKEN` is set it
/// requires it (`Authorization: Bearer <token>`), compared in constant time.
struct AnalyticsController: Sendable {
    let writer: RedisPipelineWriter
    let cookieName: String
    let adminToken: String?
    /// The stream partition count: a visitor's session key carries its partition's hash tag.
    let partitions: Int

    func addRoutes(to router: Router<IngestRequestContext>) {
        let group = router.group("api/analytics/analytics")
        group.get("current") { request, _ in try await current(request) }
        group.get("realtime") { request, _ in try await realtime(request) }
    }

    private func current(_ request: Request) async throws -> Response {
        guard let visitorId = VisitorCookie.visitorId(in: request, cookieName: cookieName) else {
            return json(JSONObject([("visitorId", .null), ("sessionId", .null)]))
        }
        let replies = try await redis([RedisCommand("HGET", StreamLayout.sessionKey(visitorId: visitorId, partitions: partitions), "id")])
        return json(JSONObject([("visitorId", .string(visitorId)), ("sessionId", replies[0].text.map(JSONValue.string) ?? .null)]))
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
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let minutes = (0..<5).map { now - Int64($0) * 60_000 }
        var commands = [RedisCommand("ZCOUNT", LiveCounters.visitorsKey, String(now - LiveCounters.activeWindowMilliseconds), "+inf")]
        commands += minutes.map { RedisCommand("GET", LiveCounters.eventsKey(minuteOf: $0)) }
        commands += minutes.map { RedisCommand("GET", LiveCounters.pageViewsKey(minuteOf: $0)) }
        let replies = try await redis(commands)
        let events = replies[1...5].reduce(Int64(0)) { $0 + ($1.integer ?? 0) }
        let pageViews = replies[6...10].reduce(Int64(0)) { $0 + ($1.integer ?? 0) }
        return json(JSONObject([
            ("activeVisitors", .int(replies[0].integer ?? 0)), ("eventsLast5Minutes", .int(events)),
            ("pageViewsLast5Minutes", .int(pageViews)), ("at", .string(Timestamp.iso8601(milliseconds: now))),
        ]))
    }

    private func redis(_ commands: [RedisCommand]) async throws -> [RedisReply] {
        do {
            return try await writer.execute(commands)
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
