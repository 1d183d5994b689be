import SluiceCore
import SluiceRollups
import SluiceUserAgent

/// What one partition's share of a batch changes in derived state, gathered from
/// the events it stored: per visitor, per session, per roll-up bucket, per chat.
/// `DerivedStep` turns it into the acknowledgement script's operations.
struct DerivedChanges {
    /// One visitor's changes.
    struct Visitor {
        var first: Int64
        var last: Int64
        var pageViews: Int64 = 0
        var device: DeviceInfo?
        var userIds: [String] = []
    }

    /// One session's changes.
    struct Session {
        let visitorId: String
        /// The site of its first event here, nil without a sites file.
        let site: String?
        /// Whether the stitcher opened it in this batch (so the store cannot have it).
        let opened: Bool
        var first: Int64
        var last: Int64
        var pageViews: Int64 = 0
        var events: Int64 = 0
        var entry: (at: Int64, page: String)?
        var exit: (at: Int64, page: String)?
        var userId: String?
        /// The earliest event carrying a referrer or campaign, and the earliest with a device.
        var traffic: (at: Int64, source: TrafficSource, referrer: String?)?
        var device: (at: Int64, info: DeviceInfo)?
    }

    /// A chat stored in this batch: what its feedback will be counted against.
    struct Chat {
        let key: String
        let audience: RollupAudience
        /// Agent, model and language, as counted.
        let rows: [(RollupDimension, String)]
        /// The chat's open hour and day.
        let buckets: [RollupBucket]
    }

    let partition: Int
    let rollupWindow: Int64
    let now: Int64
    private(set) var visitors: [String: Visitor] = [:]
    private(set) var visitorOrder: [String] = []
    private(set) var sessions: [String: Session] = [:]
    private(set) var sessionOrder: [String] = []
    private(set) var buckets: [RollupBucket: (delta: RollupDelta, visitors: Set<String>)] = [:]
    private(set) var chats: [Chat] = []
    private(set) var feedback: [(key: String, satisfied: Bool)] = []
    /// Events counted in no bucket because theirs had closed (left to `sluicectl rollups rebuild`).
    private(set) var lateForRollups = 0

    init(partition: Int, rollupWindow: Int64, now: Int64) {
        self.partition = partition
        self.rollupWindow = rollupWindow
        self.now = now
    }

    var isEmpty: Bool { visitors.isEmpty && buckets.isEmpty && chats.isEmpty && feedback.isEmpty }

    /// Adds a stored event (one not stored before: see `BatchProcessor`).
    mutating func add(_ event: EnrichedEvent) {
        let fields = event.decoded.event
        let facts = EventFacts(kind: event.kind, fields: fields, timestamp: event.timestamp, isBot: event.isBot, path: event.path)
        let open = RollupBucket.both(site: facts.site, containing: event.timestamp).filter { $0.isOpen(now: now, window: rollupWindow) }
        if open.count < 2 { lateForRollups += 1 }
        var delta = RollupDelta()
        RollupContribution.add(facts, to: &delta)
        let visitor = !event.isBot && event.kind != .feedback && !event.isEngagementUpdate
        for bucket in open where !delta.isEmpty || visitor {
            buckets[bucket, default: (RollupDelta(), [])].delta.add(delta)
            if visitor { buckets[bucket]!.visitors.insert(event.visitorId) }
        }
        switch event.kind {
        case .chat:
            chats.append(Chat(key: StreamLayout.chatKey(scopedId: ScopedID.key(of: event.decoded, id: event.decoded.id), partition: partition),
                audience: event.isBot ? .bot : .human, rows: RollupContribution.chatRows(facts), buckets: open))
        case .feedback:
            if case .bool(let satisfied)? = fields["satisfied"], let interaction = fields["interactionId"]?.stringValue {
                feedback.append((StreamLayout.chatKey(scopedId: ScopedID.key(of: event.decoded, id: interaction), partition: partition), satisfied))
            }
        default:
            break
        }
        // Feedback and engagement updates belong to an earlier event of their own: they
        // make no document, so they move no visitor or session (as the raw events say).
        guard !event.isBot, event.kind != .feedback, !event.isEngagementUpdate else { return }
        addVisitor(event, userId: fields["userId"]?.stringValue)
        if let session = event.session { addSession(session, event, userId: fields["userId"]?.stringValue) }
    }

    private mutating func addVisitor(_ event: EnrichedEvent, userId: String?) {
        var visitor = visitors[event.visitorId] ?? Visitor(first: event.timestamp, last: event.timestamp)
        if visitors[event.visitorId] == nil { visitorOrder.append(event.visitorId) }
        visitor.first = min(visitor.first, event.timestamp)
        visitor.last = max(visitor.last, event.timestamp)
        if event.isPageView { visitor.pageViews += 1 }
        if let device = event.device { visitor.device = device }
        if let userId, !userId.isEmpty, !visitor.userIds.contains(userId), visitor.userIds.count < VisitorState.maxUserIds {
            visitor.userIds.append(userId)
        }
        visitors[event.visitorId] = visitor
    }

    private mutating func addSession(_ assignment: SessionAssignment, _ event: EnrichedEvent, userId: String?) {
        let id = assignment.sessionId
        var session = sessions[id] ?? Session(
            visitorId: event.visitorId, site: event.decoded.event["siteId"]?.stringValue, opened: assignment.isNew, first: event.timestamp, last: event.timestamp)
        if sessions[id] == nil { sessionOrder.append(id) }
        let at = event.timestamp
        session.first = min(session.first, at)
        session.last = max(session.last, at)
        session.events += 1
        if event.isPageView {
            session.pageViews += 1
            let page = RollupDelta.clip(event.path ?? "")
            if session.entry.map({ at < $0.at }) ?? true { session.entry = (at, page) }
            if session.exit.map({ at >= $0.at }) ?? true { session.exit = (at, page) }
        }
        if let userId, !userId.isEmpty { session.userId = userId }
        if let traffic = event.traffic, session.traffic.map({ at < $0.at }) ?? true {
            let referrer = event.decoded.event["referrer"]?.stringValue ?? event.decoded.event["context"]?.objectValue?["referrer"]?.stringValue
            session.traffic = (at, traffic, referrer)
        }
        if let device = event.device, session.device.map({ at < $0.at }) ?? true { session.device = (at, device) }
        sessions[id] = session
    }
}
