/// The Redis keys behind `/realtime` and the dashboard's real-time page: workers update
/// them as they store events, ingest and the dashboard read them. Minute buckets expire after an hour.
public enum LiveCounters {
    /// Sorted set of human visitor ids scored by their last event time (epoch ms).
    public static let visitorsKey = "live:visitors"
    /// Sorted set of human sessions' ids scored by their last event time (epoch ms).
    public static let sessionsKey = "live:sessions"
    /// How far back "active" reaches.
    public static let activeWindowMilliseconds: Int64 = 5 * 60_000
    /// Bucket lifetime in seconds.
    public static let bucketTTLSeconds = 3600

    /// Events stored in the minute holding `milliseconds`.
    public static func eventsKey(minuteOf milliseconds: Int64) -> String { "live:events:\(milliseconds / 60_000)" }
    /// Page views stored in the minute holding `milliseconds`.
    public static func pageViewsKey(minuteOf milliseconds: Int64) -> String { "live:pageviews:\(milliseconds / 60_000)" }
    /// Sorted set of paths scored by people's page views in the minute holding `milliseconds`.
    public static func pagesKey(minuteOf milliseconds: Int64) -> String { "live:pages:\(milliseconds / 60_000)" }
}
