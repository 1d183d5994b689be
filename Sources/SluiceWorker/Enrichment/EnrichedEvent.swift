import SluiceCore
import SluiceUserAgent

/// A decoded event with what the worker adds before storing it.
package struct EnrichedEvent {
    let decoded: DecodedEvent
    /// The device parsed from the user agent; nil without one.
    package let device: DeviceInfo?
    /// The event time after clock-skew correction.
    let clock: ClockSkew
    /// The page's path, for page views (stored, and the session's entry and exit page).
    let path: String?
    /// Referrer, campaign and channel; for page views (and events carrying a page in `context`).
    let traffic: TrafficSource?
    /// The session: from the body, from stitching, or nil for bots.
    package var session: SessionAssignment?

    var kind: EventKind { decoded.kind }
    /// The visitor the event came from.
    package var visitorId: String { decoded.visitorId }
    var timestamp: Int64 { clock.timestamp }
    /// Whether the user agent is a bot's (bots get no session and count apart).
    package var isBot: Bool { device?.type == .bot }
    var sessionId: String? { session?.sessionId }

    /// A page view that only reports engagement (`timeSpent`/`scrollDepth`) for an earlier one.
    var isEngagementUpdate: Bool {
        kind == .pageview && decoded.event["pageviewId"] != nil
            && (decoded.event["timeSpent"] != nil || decoded.event["scrollDepth"] != nil)
    }

    /// A page view that counts as one (not an engagement update).
    var isPageView: Bool { kind == .pageview && !isEngagementUpdate }
}
