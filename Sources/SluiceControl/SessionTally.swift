import SluiceCore
import SluiceRollups

/// A session counted again from every stored event of it (humans only: bots have no
/// sessions): what its `sessions` document should say, counted as the worker counts.
struct SessionTally {
    /// Fields a session takes from the earliest event with a traffic source (`channel`).
    static let trafficFields = ["referrerHost", "channel", "utm", "gclid", "fbclid", "msclkid"]

    let visitorId: String
    private(set) var startTime: Int64
    private(set) var lastActivity: Int64
    private(set) var pageViews: Int64 = 0
    private(set) var events: Int64 = 0
    /// The earliest and latest page views: (time, path as counted).
    private(set) var entry: (time: Int64, path: String)?
    private(set) var exit: (time: Int64, path: String)?
    /// The site of the session's earliest event.
    private(set) var site: String?
    /// Referrer, traffic source and device where the session landed, as the session document holds them.
    private(set) var landing = JSONObject()
    private var trafficTime: Int64?
    private var deviceTime: Int64?
    /// The last user id the session's events carried.
    private(set) var userId: (time: Int64, id: String)?

    private init(_ event: StoredEvent, visitorId: String) {
        self.visitorId = visitorId
        startTime = event.timestamp
        lastActivity = event.timestamp
        site = event.facts.site
    }

    /// Every human session among `events`, by session id.
    static func tally(_ events: [StoredEvent]) -> [String: SessionTally] {
        var sessions: [String: SessionTally] = [:]
        for event in events where !event.isBot && event.isEvent {
            guard let sessionId = event.sessionId, let visitorId = event.visitorId else { continue }
            sessions[sessionId, default: SessionTally(event, visitorId: visitorId)].add(event)
        }
        return sessions
    }

    /// Counts one more event of the session.
    private mutating func add(_ event: StoredEvent) {
        let time = event.timestamp
        let fields = event.fields
        if time < startTime { site = event.facts.site }
        startTime = min(startTime, time)
        lastActivity = max(lastActivity, time)
        events += 1
        if event.isPageView {
            pageViews += 1
            let path = RollupDelta.clip(event.facts.path ?? "")
            if entry.map({ time < $0.time }) ?? true { entry = (time, path) }
            if exit.map({ time >= $0.time }) ?? true { exit = (time, path) }
        }
        if let id = fields["userId"]?.stringValue, !id.isEmpty, userId.map({ time >= $0.time }) ?? true { userId = (time, id) }
        if fields["channel"] != nil, trafficTime.map({ time < $0 }) ?? true {
            trafficTime = time
            let referrer = fields["referrer"]?.stringValue ?? fields["context"]?.objectValue?["referrer"]?.stringValue
            landing["referrer"] = referrer.map(JSONValue.string)
            for field in Self.trafficFields { landing[field] = fields[field].flatMap { $0 == .null ? nil : $0 } }
        }
        if let device = fields["device"], device.objectValue != nil, deviceTime.map({ time < $0 }) ?? true {
            deviceTime = time
            landing["device"] = device
        }
    }
}
