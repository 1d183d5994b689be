import FoundationEssentials
import SluiceCore
import SluiceRedis

/// The live counters one batch adds (`/realtime` on ingest reads them): newly stored
/// events and page views per minute of arrival, and each human visitor's last time.
struct LiveCounterUpdate {
    private var events = 0
    private var pageViews = 0
    private var visitors: [String: Int64] = [:]

    mutating func add(_ event: EnrichedEvent, isNew: Bool) {
        guard isNew else { return }
        events += 1
        if event.isPageView { pageViews += 1 }
        if !event.isBot { visitors[event.visitorId] = max(visitors[event.visitorId] ?? 0, event.timestamp) }
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
        if !visitors.isEmpty {
            // GT: a late event never moves a visitor's last time backwards.
            commands.append(RedisCommand(arguments: ["ZADD", LiveCounters.visitorsKey, "GT"] + visitors.flatMap { [String($0.value), $0.key] }))
        }
        commands.append(RedisCommand("ZREMRANGEBYSCORE", LiveCounters.visitorsKey, "-inf", "(\(now - LiveCounters.activeWindowMilliseconds)"))
        return commands
    }
}
