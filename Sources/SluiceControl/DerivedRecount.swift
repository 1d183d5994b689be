import SluiceCore
import SluiceMongo
import SluiceRollups

/// Sessions, visitors and roll-up buckets of a time range `[from, to)` counted again
/// from the raw event collections, beside what MongoDB stores for them: what
/// `sluicectl rollups verify` compares and `rollups rebuild` writes.
///
/// The range covers the sessions starting in it, the visitors with a human event in it
/// (counted over all their events), the hour buckets starting in it and the day buckets
/// lying wholly in it.
struct DerivedRecount {
    let from: Int64
    let to: Int64
    /// The sessions checked: those starting in the range by their document or by their events.
    private(set) var sessionIds: [String] = []
    /// Every stored session's recount, by id.
    private(set) var sessions: [String: SessionTally] = [:]
    /// Stored sessions: those starting in the range or before the last compared hour ends,
    /// and those of the events in the range.
    private(set) var storedSessions: [String: JSONObject] = [:]
    private(set) var visitors: [String: VisitorTally] = [:]
    /// The visitors' funnel progress, counted from all their events.
    private(set) var funnels = FunnelTally([], matcher: FunnelMatcher())
    private(set) var storedVisitors: [String: JSONObject] = [:]
    /// The buckets compared, in time order.
    private(set) var buckets: [RollupBucket] = []
    /// The buckets' counts without their session part.
    private(set) var events = RollupRecount()
    private(set) var storedRollups: [String: JSONObject] = [:]

    /// The end of the last hour starting in the range: events up to there fill the compared hours.
    var scanEnd: Int64 { RollupBucket(site: nil, granularity: .hour, containing: to - 1).end }

    /// Reads and counts the range.
    static func read(from: Int64, to: Int64, reader: StoredEventReader, funnels: FunnelMatcher = FunnelMatcher()) throws(MongoError) -> DerivedRecount {
        var recount = DerivedRecount(from: from, to: to)
        try recount.read(reader, funnels: funnels)
        return recount
    }

    /// Counts the range's events, then reads the sessions, visitors and buckets they touch.
    /// Funnel progress is counted from every event of the range's visitors: one who reached
    /// a first step before the range counts in earlier buckets, not the range's.
    private mutating func read(_ reader: StoredEventReader, funnels matcher: FunnelMatcher) throws(MongoError) {
        let (from, to, end) = (from, to, scanEnd)
        var rollups = RollupRecount()
        var visitorIds = Set<String>()
        var sessionsWithEvents = Set<String>()
        // Visitors who may have entered a funnel in a compared hour (up to `end`).
        var funnelVisitorIds = Set<String>()
        try reader.forEachEvent(from: from, to: end) { event in
            rollups.add(event)
            if !matcher.isEmpty, !event.isBot, let visitorId = event.visitorId, !matcher.matches(event.facts).isEmpty {
                funnelVisitorIds.insert(visitorId)
            }
            guard !event.isBot, event.timestamp < to else { return }
            if let visitorId = event.visitorId { visitorIds.insert(visitorId) }
            if let sessionId = event.sessionId, event.isEvent { sessionsWithEvents.insert(sessionId) }
        }

        storedSessions = try reader.documents(StoreCollection.sessions, whose: "startTime", from: from, to: end)
        storedSessions.merge(try reader.documents(StoreCollection.sessions, ids: sessionsWithEvents.subtracting(storedSessions.keys))) { kept, _ in kept }
        let tallied = sessionsWithEvents.union(storedSessions.keys)
        sessions = SessionTally.tally(try reader.events(whose: "sessionId", isIn: tallied))
        sessionIds = tallied.filter { id in
            [Self.time(storedSessions[id]?["startTime"]), sessions[id]?.startTime].contains { $0.map((from..<to).contains) ?? false }
        }.sorted()

        let visitorEvents = try reader.events(whose: "visitorId", isIn: visitorIds.union(funnelVisitorIds))
        visitors = VisitorTally.tally(visitorEvents.filter { $0.visitorId.map(visitorIds.contains) ?? false })
        funnels = FunnelTally(visitorEvents, matcher: matcher)
        rollups.add(funnels: funnels)
        events = rollups
        storedVisitors = try reader.documents(StoreCollection.visitors, ids: visitorIds)

        storedRollups = try reader.documents(RollupDocument.collection, whose: "start", from: from, to: end)
        let names = Set(storedRollups.keys).union(rollups.buckets.keys.map(\.name))
        buckets = names.compactMap { RollupBucket(name: Substring($0)) }.filter(isCompared).sorted { ($0.start, $0.name) < ($1.start, $1.name) }
    }

    /// Whether the range compares `bucket`: an hour starting in it, or a day lying wholly in it.
    func isCompared(_ bucket: RollupBucket) -> Bool {
        bucket.start >= from && (bucket.granularity == .hour ? bucket.start < to : bucket.end <= to)
    }

    /// Every compared bucket's counts with the session part of `sessionDocuments` (plain
    /// values, by id) added: the stored sessions to verify against, or the rewritten ones
    /// to rebuild. A session counts in its earliest event's site, as the worker counts it.
    func rollups(sessionDocuments: [String: JSONObject]) -> [RollupBucket: RollupRecount.Tally] {
        var recount = events
        for (id, document) in sessionDocuments { recount.add(session: document, site: sessions[id]?.site) }
        return Dictionary(uniqueKeysWithValues: buckets.map { ($0, recount.buckets[$0] ?? RollupRecount.Tally()) })
    }

    /// The stored session documents, plus the recounted one of each checked session that
    /// has none: the session part to verify roll-ups against, so a missing session
    /// document shows once, as a session difference, not again in its buckets.
    var sessionDocumentsFillingMissing: [String: JSONObject] {
        var documents = storedSessions
        for id in sessionIds where documents[id] == nil {
            guard let tally = sessions[id] else { continue }
            documents[id] = DerivedRewrite.applied(DerivedRewrite.session(tally, stored: nil, closedBefore: .min), to: nil, id: id)
        }
        return documents
    }

    /// A plain date field's epoch milliseconds.
    static func time(_ value: JSONValue?) -> Int64? {
        if case .int(let time)? = value { return time }
        return nil
    }
}
