import Hummingbird
import Logging
import SluiceCore
import SluiceRedis

/// The real-time page, `GET /realtime`, and its data: `GET /api/dashboard/realtime` (JSON)
/// and `GET /api/dashboard/realtime/stream` (server-sent events), all from Redis's live
/// counters (`LiveReads.snapshot`).
struct RealtimeController: Sendable {
    let reads: LiveReads
    let stream: RealtimeStream
    /// The pages' shared frame.
    let layout: PageLayout
    let logger: Logger

    /// Reads through `reads`; the stream's interval, lifetime and limit as given (tests shorten them).
    init(
        reads: LiveReads, layout: PageLayout, logger: Logger, interval: Duration = RealtimeStream.defaultInterval,
        lifetime: Duration = RealtimeStream.defaultLifetime, streamLimit: Int = RealtimeStream.defaultLimit
    ) {
        self.reads = reads
        self.layout = layout
        self.logger = logger
        stream = RealtimeStream(reads: reads, interval: interval, lifetime: lifetime, slots: RealtimeStreamSlots(limit: streamLimit), logger: logger)
    }

    /// Adds the page to `pages` and the JSON and stream routes to `api`, the protected `api/dashboard` group.
    func addRoutes(pages: some RouterMethods<BasicRequestContext>, api: some RouterMethods<BasicRequestContext>) {
        pages.get("realtime") { _, _ in RealtimePage.page(try await snapshot(), layout: layout).response() }
        api.get("realtime") { _, _ in JSONResponse.ok(try await snapshot().json) }
        api.get("realtime/stream") { _, _ in try stream.response() }
    }

    /// The figures as of now, or 503 when Redis cannot give them.
    private func snapshot() async throws(DashboardError) -> LiveSnapshot {
        do {
            return try await reads.snapshot()
        } catch {
            logger.warning("live read failed", metadata: ["sluice.error": "\(error)"])
            throw .unavailable("the live counters are unavailable, retry later")
        }
    }
}
