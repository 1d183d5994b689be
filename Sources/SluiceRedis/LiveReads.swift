import FoundationEssentials
import SluiceCore

/// The answers of the live read routes, `GET /api/analytics/analytics/realtime` and
/// `/current`, read from the counters and session keys the workers keep in Redis. Ingest
/// and the dashboard both serve these routes; this is the one place that decides what
/// they answer.
public struct LiveReads: Sendable {
    /// Minutes the realtime counts add up.
    static let countedMinutes = 5

    let writer: RedisPipelineWriter
    /// The stream partition count: a visitor's session key carries its partition's hash tag.
    let partitions: Int

    /// Reads through `writer` (which must be started) for `partitions` stream partitions.
    public init(writer: RedisPipelineWriter, partitions: Int) {
        self.writer = writer
        self.partitions = partitions
    }

    /// `{"visitorId", "sessionId"}` for the caller's own visitor cookie, nulls without one.
    public func current(visitorId: String?) async throws -> JSONObject {
        guard let visitorId else { return JSONObject([("visitorId", .null), ("sessionId", .null)]) }
        let replies = try await writer.execute([
            RedisCommand("HGET", StreamLayout.sessionKey(visitorId: visitorId, partitions: partitions), StreamLayout.sessionIdField)
        ])
        return JSONObject([("visitorId", .string(visitorId)), ("sessionId", replies[0].text.map(JSONValue.string) ?? .null)])
    }

    /// `{"activeVisitors", "eventsLast5Minutes", "pageViewsLast5Minutes", "at"}` as of now.
    public func realtime() async throws -> JSONObject {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let minutes = (0..<Self.countedMinutes).map { now - Int64($0) * 60_000 }
        var commands = [RedisCommand("ZCOUNT", LiveCounters.visitorsKey, String(now - LiveCounters.activeWindowMilliseconds), "+inf")]
        commands += minutes.map { RedisCommand("GET", LiveCounters.eventsKey(minuteOf: $0)) }
        commands += minutes.map { RedisCommand("GET", LiveCounters.pageViewsKey(minuteOf: $0)) }
        let replies = try await writer.execute(commands)
        let events = replies[1...Self.countedMinutes].reduce(Int64(0)) { $0 + ($1.integer ?? 0) }
        let pageViews = replies[(Self.countedMinutes + 1)...].reduce(Int64(0)) { $0 + ($1.integer ?? 0) }
        return JSONObject([
            ("activeVisitors", .int(replies[0].integer ?? 0)), ("eventsLast5Minutes", .int(events)),
            ("pageViewsLast5Minutes", .int(pageViews)), ("at", .string(Timestamp.iso8601(milliseconds: now))),
        ])
    }
}
