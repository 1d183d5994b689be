import SluiceCore

/// A visitor counted again from every stored event of it (humans only: bots are no
/// visitors): what its `visitors` document should say.
struct VisitorTally {
    private(set) var firstVisit: Int64
    private(set) var lastVisit: Int64
    private(set) var pageViews: Int64 = 0
    /// The distinct sessions of the visitor's events.
    private(set) var sessionIds: Set<String> = []
    /// User ids in the order first seen.
    private(set) var userIds: [String] = []
    /// The device of the visitor's latest event that has one.
    private(set) var device: (time: Int64, value: JSONValue)?

    /// Visits: the number of distinct sessions.
    var visits: Int64 { Int64(sessionIds.count) }

    private init(_ event: StoredEvent) {
        firstVisit = event.timestamp
        lastVisit = event.timestamp
    }

    /// Every human visitor among `events`, by visitor id.
    static func tally(_ events: [StoredEvent]) -> [String: VisitorTally] {
        var visitors: [String: VisitorTally] = [:]
        for event in events where !event.isBot {
            guard let visitorId = event.visitorId else { continue }
            visitors[visitorId, default: VisitorTally(event)].add(event)
        }
        return visitors
    }

    /// Counts one more event of the visitor.
    private mutating func add(_ event: StoredEvent) {
        let time = event.timestamp
        firstVisit = min(firstVisit, time)
        lastVisit = max(lastVisit, time)
        if event.isPageView { pageViews += 1 }
        if let sessionId = event.sessionId { sessionIds.insert(sessionId) }
        if let userId = event.fields["userId"]?.stringValue, !userIds.contains(userId) { userIds.append(userId) }
        if let value = event.fields["device"], value.objectValue != nil, device.map({ time >= $0.time }) ?? true { device = (time, value) }
    }
}
