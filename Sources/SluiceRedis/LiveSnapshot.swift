import SluiceCore

/// What the dashboard's real-time page shows, as of one moment: people active now, the
/// events stored per minute over the last half hour and the pages people are viewing.
public struct LiveSnapshot: Sendable, Equatable {
    /// Events stored in one minute.
    public struct Minute: Sendable, Equatable {
        /// The minute's start, epoch ms.
        public let start: Int64
        public let events: Int64
    }

    /// A path and people's page views of it in the last minutes.
    public struct Page: Sendable, Equatable {
        public let path: String
        public let views: Int64
    }

    /// Human visitors with an event in the last 5 minutes.
    public let activeVisitors: Int64
    /// Human sessions with an event in the last 5 minutes.
    public let activeSessions: Int64
    /// One entry per minute, oldest first; the last is the minute under way.
    public let eventsPerMinute: [Minute]
    /// Most viewed first (ties by path), at most the asked number.
    public let pages: [Page]
    /// When it was read, epoch ms.
    public let at: Int64

    /// Whether `other` shows the same figures, whenever it was read.
    public func hasSameFigures(as other: LiveSnapshot) -> Bool {
        (activeVisitors, activeSessions, eventsPerMinute, pages) == (other.activeVisitors, other.activeSessions, other.eventsPerMinute, other.pages)
    }

    /// The snapshot as the dashboard's JSON: minutes and `at` as ISO 8601 strings.
    public var json: JSONObject {
        JSONObject([
            ("activeVisitors", .int(activeVisitors)), ("activeSessions", .int(activeSessions)),
            ("eventsLast30Minutes", .int(eventsPerMinute.reduce(0) { $0 + $1.events })),
            (
                "eventsPerMinute",
                .array(
                    eventsPerMinute.map { .object(JSONObject([("minute", .string(Timestamp.iso8601(milliseconds: $0.start))), ("events", .int($0.events))])) })
            ),
            ("pages", .array(pages.map { .object(JSONObject([("path", .string($0.path)), ("views", .int($0.views))])) })),
            ("at", .string(Timestamp.iso8601(milliseconds: at))),
        ])
    }
}
