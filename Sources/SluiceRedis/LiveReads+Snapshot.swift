import FoundationEssentials
import SluiceCore

extension LiveReads {
    /// Minutes of the events-per-minute series.
    public static let seriesMinutes = 30
    /// Minutes whose page views make "pages being viewed now".
    public static let pageMinutes = 5
    /// The most paths read from each minute's page counts.
    static let pathsPerMinute = 100

    /// The real-time page's figures as of now, in one pipeline: two counts of the last
    /// 5 minutes' people, 30 minute counters, and the 100 most viewed paths of each of
    /// the last 5 minutes, merged to the `pageLimit` most viewed.
    public func snapshot(pageLimit: Int = 10) async throws -> LiveSnapshot {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let since = String(now - LiveCounters.activeWindowMilliseconds)
        let currentMinute = now / 60_000 * 60_000
        let minutes = (0..<Self.seriesMinutes).map { currentMinute - Int64(Self.seriesMinutes - 1 - $0) * 60_000 }
        var commands = [RedisCommand("ZCOUNT", LiveCounters.visitorsKey, since, "+inf"), RedisCommand("ZCOUNT", LiveCounters.sessionsKey, since, "+inf")]
        commands += minutes.map { RedisCommand("GET", LiveCounters.eventsKey(minuteOf: $0)) }
        commands += minutes.suffix(Self.pageMinutes).map {
            RedisCommand("ZREVRANGE", LiveCounters.pagesKey(minuteOf: $0), "0", String(Self.pathsPerMinute - 1), "WITHSCORES")
        }
        let replies = try await writer.execute(commands)
        let series = zip(minutes, replies[2..<(2 + minutes.count)]).map { LiveSnapshot.Minute(start: $0, events: $1.integer ?? 0) }
        var views: [String: Int64] = [:]
        for reply in replies.suffix(Self.pageMinutes) {
            let items = reply.elements ?? []
            for index in stride(from: 0, to: items.count - 1, by: 2) {
                guard let path = items[index].text, let score = items[index + 1].text.flatMap(Double.init) else { continue }
                views[path, default: 0] += Int64(score)
            }
        }
        let pages = views.map { LiveSnapshot.Page(path: $0.key, views: $0.value) }
            .sorted { ($0.views, $1.path) > ($1.views, $0.path) }.prefix(pageLimit)
        return LiveSnapshot(
            activeVisitors: replies[0].integer ?? 0, activeSessions: replies[1].integer ?? 0, eventsPerMinute: series, pages: Array(pages), at: now)
    }
}
