import HTTPTypes
import Hummingbird
import Logging
import ServiceLifecycle
import SluiceCore
import SluiceRedis

/// `GET /api/dashboard/realtime/stream`: the real-time figures as server-sent events. Every
/// `interval` it reads them; when they changed since the last event it sends them as one
/// event (`data:` the JSON of `/api/dashboard/realtime`), otherwise a heartbeat comment, so
/// a proxy never sees an idle connection and a gone client is noticed within an interval.
/// A stream ends after `lifetime` (the browser reconnects after the `retry:` delay), at
/// shutdown, or when the client goes; at most `slots.limit` are open at once.
struct RealtimeStream: Sendable {
    /// How often the figures are read.
    static let defaultInterval: Duration = .seconds(5)
    /// How long one stream lasts before the browser is asked to reconnect.
    static let defaultLifetime: Duration = .seconds(30 * 60)
    /// Concurrent streams allowed.
    static let defaultLimit = 64
    /// The reconnection delay sent to the browser, in ms.
    static let retryMilliseconds = 3000

    let reads: LiveReads
    let interval: Duration
    let lifetime: Duration
    let slots: RealtimeStreamSlots
    let logger: Logger

    /// The streaming answer, or 503 when every slot is taken.
    func response() throws(DashboardError) -> Response {
        guard slots.take() else {
            var error = DashboardError.unavailable(
                "\(slots.limit) real-time streams are open, the most allowed; retry later or read GET /api/dashboard/realtime")
            error.retryAfterSeconds = 5
            throw error
        }
        let headers: HTTPFields = [.contentType: "text/event-stream", .cacheControl: "no-store", .xAccelBuffering: "no"]
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                defer { slots.giveBack() }
                try await send(to: &writer)
                try await writer.finish(nil)
            })
    }

    /// Writes events and heartbeats until `lifetime` has passed; a write to a gone client throws.
    private func send(to writer: inout any ResponseBodyWriter) async throws {
        try await writer.write(ByteBuffer(string: "retry: \(Self.retryMilliseconds)\n\n"))
        let end = ContinuousClock.now + lifetime
        var last: LiveSnapshot?
        // At shutdown the stream ends within an interval; the browser reconnects to another process.
        while ContinuousClock.now < end, !Task.isShuttingDownGracefully {
            let snapshot: LiveSnapshot
            do {
                snapshot = try await reads.snapshot()
            } catch {
                logger.warning("real-time stream read failed", metadata: ["sluice.error": "\(error)"])
                try await writer.write(ByteBuffer(string: ": live counters unavailable\n\n"))
                try await Task.sleep(for: interval)
                continue
            }
            if let last, last.hasSameFigures(as: snapshot) {
                try await writer.write(ByteBuffer(string: ": heartbeat\n\n"))
            } else {
                try await writer.write(ByteBuffer(string: "data: \(JSONWriter.string(of: .object(snapshot.json)))\n\n"))
                last = snapshot
            }
            try await Task.sleep(for: interval)
        }
    }
}

extension HTTPField.Name {
    /// Tells nginx not to buffer a streaming answer.
    static let xAccelBuffering = HTTPField.Name("X-Accel-Buffering")!
}
