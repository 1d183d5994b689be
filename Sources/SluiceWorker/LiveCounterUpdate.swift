import FoundationEssentials
import SluiceCore
import SluiceRedis

/// The live counters one batch adds (`/realtime` on ingest and the dashboard's real-time
/// page read them): newly stored events and page views per minute of arrival, each human
/// visitor's and session's last time, and people's page views per path in the minute.
struct LiveCounterUpdate {
    private var events = 0
    private var pageViews = 0
    private var visitors: [String: Int64] = [:]
    private var sessions: [String: Int64] = [:]
    private var paths: [String: Int] = [:]

    mutating func add(_ event: EnrichedEvent, isNew: Bool) {
        guard isNew else { return }
        events += 1
        if event.isPageView { pageViews += 1 }
        guard !event.isBot else { return }
        visitors[event.visitorId] = max(visitors[event.visitorId] ?? 0, event.timestamp)
        if let sessionId = event.sessionId { sessions[sessionId] = max(sessions[sessionId] ?? 0, event.timestamp) }
        if event.isPageView, let path = event.path { paths[path, default: 0] += 1 }
    }

    /// The commands, for one pipeline; empty when the batch stored nothing new.
    func commands(now: Int64) -> [RedisCommand] {
        guard events > 0 else { return [] }
        let eventsKey = LiveCounters.eventsKey(minuteOf: now)
        let pageViewsKey = LiveCounters.pageViewsKey(minuteOf: now)
        var commands = [
            RedisCommand("INCRBY", eventsKey, String(events)), RedisCommand("EXPIRE", eventsKey, String(LiveCounters.bucketTTLSeconds)),
            RedisCommand("INCRBY", pageViewsKey, String(pageViews)), RedisCommand("EXPIRE", pageViewsKey, String(LiveCounters.bucketTTLSeconds)),
        ]
        if !paths.isEmpty {
            let pagesKey = LiveCounters.pagesKey(minuteOf: now)
            commands += paths.sorted { $0.key < $1.key }.map { RedisCommand("ZINCRBY", pagesKey, String($0.value), $0.key) }
            commands.append(RedisCommand("EXPIRE", pagesKey, String(LiveCounters.bucketTTLSeconds)))
        }
        for (key, lastTimes) in [(LiveCounters.visitorsKey, visitors), (LiveCounters.sessionsKey, sessions)] where !lastTimes.isEmpty {
            // GT: a late event never moves a last time backwards.
            commands.append(RedisCommand(arguments: ["ZADD", key, "GT"] + lastTimes.flatMap { [String($0.value), $0.key] }))
        }
        for key in [LiveCounters.visitorsKey, LiveCounters.sessionsKey] {
            commands.append(RedisCommand("ZREMRANGEBYSCORE", key, "-inf", "(\(now - LiveCounters.activeWindowMilliseconds)"))
        }
        return commands
    }
}
