import SluiceCore
import SluiceUserAgent

/// Adds device, corrected time and traffic source to decoded events (pure: no I/O).
package struct EventEnricher {
    let userAgents: CachedUserAgentParser
    let maxEventAgeMilliseconds: Int64

    /// An enricher parsing user agents through `userAgents`, correcting clocks up to `maxEventAgeMilliseconds` back.
    package init(userAgents: CachedUserAgentParser, maxEventAgeMilliseconds: Int64) {
        self.userAgents = userAgents
        self.maxEventAgeMilliseconds = maxEventAgeMilliseconds
    }

    /// The event with its device, corrected time, page path, traffic source and the session its body names.
    package func enrich(_ event: DecodedEvent) -> EnrichedEvent {
        let fields = event.event
        let device = fields["ua"]?.stringValue.map { userAgents.device($0) }
        let receivedAt = fields["receivedAt"].flatMap { if case .int(let ms) = $0 { ms } else { nil } } ?? event.timestamp
        let sentAt = fields["sentAt"].flatMap { if case .int(let ms) = $0 { ms } else { nil } }
        let clock = ClockSkew(timestamp: event.timestamp, sentAt: sentAt, receivedAt: receivedAt, maxAgeMilliseconds: maxEventAgeMilliseconds)
        var traffic: TrafficSource?
        if event.kind == .pageview {
            traffic = TrafficSource(pageURL: fields["url"]?.stringValue, referrer: fields["referrer"]?.stringValue)
        } else if let context = fields["context"]?.objectValue, context["url"] != nil || context["referrer"] != nil {
            traffic = TrafficSource(pageURL: context["url"]?.stringValue, referrer: context["referrer"]?.stringValue)
        }
        var session: SessionAssignment?
        if let sessionId = fields["sessionId"]?.stringValue {
            // A session id from the body is the sender's own: scoped like event ids, so
            // it never adds to another visitor's session.
            session = SessionAssignment(sessionId: ScopedID.key(of: event, id: sessionId), isNew: false)
        }
        let path = event.kind == .pageview ? fields["url"]?.stringValue.map(PageURL.path(of:)) : nil
        return EnrichedEvent(decoded: event, device: device, clock: clock, path: path, traffic: traffic, session: session)
    }
}
