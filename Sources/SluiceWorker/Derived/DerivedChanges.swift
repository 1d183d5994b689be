import SluiceCore
import SluiceRollups
import SluiceUserAgent

/// What one partition's share of a batch changes in derived state, gathered from
/// the events it stored: per visitor, per session, per roll-up bucket, per chat.
/// `DerivedStep` turns it into the acknowledgement script's operations.
package struct DerivedChanges {
    /// One visitor's changes.
    struct Visitor {
        let id: String
        var first: Int64
        var last: Int64
        var pageViews: Int64 = 0
        var device: DeviceInfo?
        var userIds: [String] = []
    }

    /// One session's changes.
    package struct Session {
        /// The session's id.
        package let id: String
        let visitorId: String
        /// The site of its first event here, nil without a sites file.
        let site: String?
        /// Whether the stitcher opened it in this batch (so the store cannot have it).
        package let opened: Bool
        var first: Int64
        var last: Int64
        var pageViews: Int64 = 0
        var events: Int64 = 0
        var entry: (at: Int64, page: String)?
        var exit: (at: Int64, page: String)?
        var userId: String?
        /// The earliest event carrying a referrer or campaign (with its fields, read only
        /// for a session the script creates), and the earliest with a device.
        var traffic: (at: Int64, source: TrafficSource, fields: JSONObject)?
        var device: (at: Int64, info: DeviceInfo)?

        /// The referrer of the earliest event carrying traffic.
        var referrer: String? {
            guard let fields = traffic?.fields else { return nil }
            return fields["referrer"]?.stringValue ?? fields["context"]?.objectValue?["referrer"]?.stringValue
        }
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

    /// A human page view's engagement: the page view itself (its buckets, `spent` nil)
    /// or an update of it (its `timeSpent`, and its own buckets, used only when the
    /// update arrives before the page view).
    struct Engagement {
        let key: String
        let buckets: [RollupBucket]
        let spent: Int64?
    }

    let partition: Int
    let rollupWindow: Int64
    let now: Int64
    /// The configured funnels' steps (none: no event is looked at for them).
    let funnels: FunnelMatcher
    /// Visitors and sessions in first-seen order.
    private(set) var visitors: [Visitor] = []
    package private(set) var sessions: [Session] = []
    private var visitorSlots: [String: Int] = [:]
    private var sessionSlots: [String: Int] = [:]
    private(set) var buckets: DerivedBuckets
    private(set) var chats: [Chat] = []
    private(set) var feedback: [(key: String, satisfied: Bool)] = []
    private(set) var engagements: [Engagement] = []
    /// Funnel steps human events reached (`DerivedChanges+Funnels`).
    var funnelSteps: [FunnelStepReached] = []
    /// Events counted in no bucket because theirs had closed (left to `sluicectl rollups rebuild`).
    private(set) var lateForRollups = 0

    package init(partition: Int, rollupWindow: Int64, now: Int64, funnels: FunnelMatcher = FunnelMatcher()) {
        self.partition = partition
        self.rollupWindow = rollupWindow
        self.now = now
        self.funnels = funnels
        buckets = DerivedBuckets(now: now, rollupWindow: rollupWindow)
    }

    /// Adds a stored event (one not stored before: see `BatchProcessor`).
    package mutating func add(_ event: EnrichedEvent) {
        let fields = event.decoded.event
        let facts = EventFacts(kind: event.kind, fields: fields, timestamp: event.timestamp, isBot: event.isBot, path: event.path)
        // Feedback and engagement updates belong to an earlier event of their own: they
        // make no document, so they move no visitor or session (as the raw events say).
        let ownDocument = !facts.isEngagementUpdate && event.kind != .feedback
        let human = ownDocument && !event.isBot
        if buckets.add(facts, visitor: human ? event.visitorId : nil) < 2 { lateForRollups += 1 }
        switch event.kind {
        case .chat:
            let open = RollupBucket.both(site: facts.site, containing: event.timestamp).filter { $0.isOpen(now: now, window: rollupWindow) }
            chats.append(
                Chat(
                    key: StreamLayout.chatKey(scopedId: ScopedID.key(of: event.decoded, id: event.decoded.id), partition: partition),
                    audience: event.isBot ? .bot : .human, rows: RollupContribution.chatRows(facts), buckets: open))
        case .feedback:
            if case .bool(let satisfied)? = fields["satisfied"], let interaction = fields["interactionId"]?.stringValue {
                feedback.append((StreamLayout.chatKey(scopedId: ScopedID.key(of: event.decoded, id: interaction), partition: partition), satisfied))
            }
        case .pageview where !event.isBot:
            addEngagement(event, facts)
        default:
            break
        }
        guard human else { return }
        if !funnels.isEmpty { addFunnelSteps(facts, visitorId: event.visitorId) }
        let userId = fields["userId"]?.stringValue
        let isPageView = event.kind == .pageview
        addVisitor(event, isPageView: isPageView, userId: userId)
        if let session = event.session { addSession(session, event, isPageView: isPageView, userId: userId) }
    }

    /// A human page view with a `pageviewId` (engagement updates will name it), or an
    /// update of one that reports `timeSpent`.
    private mutating func addEngagement(_ event: EnrichedEvent, _ facts: EventFacts) {
        guard let pageviewId = event.decoded.event["pageviewId"]?.stringValue else { return }
        var spent: Int64?
        if facts.isEngagementUpdate {
            guard let time = facts.milliseconds("timeSpent") else { return }
            spent = Int64(time)
        }
        engagements.append(
            Engagement(
                key: StreamLayout.pageViewKey(scopedId: ScopedID.key(of: event.decoded, id: pageviewId), partition: partition),
                buckets: RollupBucket.both(site: facts.site, containing: event.timestamp), spent: spent))
    }

    private mutating func addVisitor(_ event: EnrichedEvent, isPageView: Bool, userId: String?) {
        let at = event.timestamp
        let slot =
            visitorSlots[event.visitorId]
            ?? {
                visitorSlots[event.visitorId] = visitors.count
                visitors.append(Visitor(id: event.visitorId, first: at, last: at))
                return visitors.count - 1
            }()
        visitors[slot].first = min(visitors[slot].first, at)
        visitors[slot].last = max(visitors[slot].last, at)
        if isPageView { visitors[slot].pageViews += 1 }
        if let device = event.device { visitors[slot].device = device }
        if let userId, !userId.isEmpty, !visitors[slot].userIds.contains(userId), visitors[slot].userIds.count < VisitorState.maxUserIds {
            visitors[slot].userIds.append(userId)
        }
    }

    private mutating func addSession(_ assignment: SessionAssignment, _ event: EnrichedEvent, isPageView: Bool, userId: String?) {
        let id = assignment.sessionId
        let at = event.timestamp
        let slot =
            sessionSlots[id]
            ?? {
                sessionSlots[id] = sessions.count
                sessions.append(
                    Session(
                        id: id, visitorId: event.visitorId, site: event.decoded.event["siteId"]?.stringValue, opened: assignment.isNew, first: at, last: at))
                return sessions.count - 1
            }()
        sessions[slot].add(event, at: at, isPageView: isPageView, userId: userId)
    }
}

extension DerivedChanges.Session {
    /// Adds one of the session's events.
    fileprivate mutating func add(_ event: EnrichedEvent, at: Int64, isPageView: Bool, userId: String?) {
        first = min(first, at)
        last = max(last, at)
        events += 1
        if isPageView {
            pageViews += 1
            let page = RollupDelta.clip(event.path ?? "")
            if entry.map({ at < $0.at }) ?? true { entry = (at, page) }
            if exit.map({ at >= $0.at }) ?? true { exit = (at, page) }
        }
        if let userId, !userId.isEmpty { self.userId = userId }
        if let source = event.traffic, traffic.map({ at < $0.at }) ?? true { traffic = (at, source, event.decoded.event) }
        if let info = event.device, device.map({ at < $0.at }) ?? true { device = (at, info) }
    }
}
