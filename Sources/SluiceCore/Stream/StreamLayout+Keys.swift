extension StreamLayout {
    /// The hash under which each worker publishes its drain rate (`<rate>:<epoch ms>`
    /// per consumer name); ingest reads it for `Retry-After`.
    public static let drainKey = "sluice:drain"

    /// A visitor's current-session hash `{id, last}` (DESIGN.md, "Sessions"), under its partition's hash tag.
    public static func sessionKey(visitorId: String, partitions: Int) -> String {
        "sess:{\(tag(partition: partition(visitorId: visitorId, partitions: partitions)))}:\(visitorId)"
    }

    /// `sessionKey`'s field holding the current session's id.
    public static let sessionIdField = "id"

    /// `sessionKey`'s field holding the time of the session's latest event (epoch ms).
    public static let sessionLastField = "last"

    /// The kinds of derived key (docs/derived-data.md), each `<prefix>:{<partition tag>}:<name>`.
    public enum DerivedKey: String, Sendable, CaseIterable {
        /// A session's state; the name is the session id.
        case session = "ss"
        /// A visitor's state; the name is the visitor id.
        case visitor = "vs"
        /// A roll-up bucket's counts; the name is `RollupBucket.name`.
        case rollup = "ru"
        /// A roll-up bucket's HyperLogLog of human visitor ids; the name is `RollupBucket.name`.
        case rollupVisitors = "rv"

        /// The key of `name` in `partition`.
        public func key(_ name: String, partition: Int) -> String { "\(rawValue):{\(StreamLayout.tag(partition: partition))}:\(name)" }

        /// The kind of a derived key, nil for any other key.
        public init?(ofKey key: String) {
            guard let colon = key.firstIndex(of: ":") else { return nil }
            self.init(rawValue: String(key[..<colon]))
        }

        /// The name in a derived key (what follows `}:`).
        public static func name(ofKey key: String) -> String {
            guard let close = key.firstIndex(of: "}") else { return key }
            return String(key[close...].dropFirst(2))
        }
    }

    /// The derived state of a session, under its visitor's partition.
    public static func sessionStateKey(sessionId: String, partition: Int) -> String { DerivedKey.session.key(sessionId, partition: partition) }

    /// The derived state of a visitor, under its partition.
    public static func visitorStateKey(visitorId: String, partition: Int) -> String { DerivedKey.visitor.key(visitorId, partition: partition) }

    /// A roll-up bucket's counts from one partition (`bucket` is `RollupBucket.name`).
    public static func rollupKey(bucket: String, partition: Int) -> String { DerivedKey.rollup.key(bucket, partition: partition) }

    /// A roll-up bucket's HyperLogLog of human visitor ids from one partition.
    public static func rollupVisitorsKey(bucket: String, partition: Int) -> String { DerivedKey.rollupVisitors.key(bucket, partition: partition) }

    /// What a chat's feedback is counted against: its agent, model, language, buckets and
    /// current feedback (`scopedId` is the chat document's `_id`).
    public static func chatKey(scopedId: String, partition: Int) -> String { "ci:{\(tag(partition: partition))}:\(scopedId)" }

    /// What a page view's engagement updates are counted against: its hour and day
    /// buckets and the `timeSpent` counted so far (`scopedId` is the page view document's `_id`).
    public static func pageViewKey(scopedId: String, partition: Int) -> String { "pe:{\(tag(partition: partition))}:\(scopedId)" }

    /// A partition's changed derived keys, scored by the change's sequence number; the flusher's to-do list.
    public static func dirtyKey(partition: Int) -> String { "dirty:{\(tag(partition: partition))}" }

    /// The sequence behind `dirtyKey`'s scores.
    public static func dirtySequenceKey(partition: Int) -> String { "dirtyseq:{\(tag(partition: partition))}" }

    /// Held by the one worker flushing derived state at a time.
    public static let flushLockKey = "sluice:flush:lock"

    /// A hash of each site's roll-up generation (a field per site, `""` without a sites
    /// file): raised after that site's `rollups` documents were written (`RollupGenerations`).
    public static let rollupGenerationsKey = "sluice:rollups:written"

    /// The scratch key `sluicectl rollups rebuild` builds a bucket's HyperLogLog in (`token`: one per run).
    public static func rebuildScratchKey(bucket: String, token: String) -> String { "sluicectl:rebuild:hll:\(token):\(bucket)" }

    /// Scratch keys the flusher merges one bucket's HyperLogLogs in (one hash tag, so one slot).
    public static func flushScratchKey(_ index: Int) -> String { "sluice:{flush}:hll:\(index)" }

    /// Scratch keys one report request counts unique visitors in (`token`: one per request,
    /// in the hash tag, so a request's keys share one slot and requests never collide).
    public static func reportScratchKey(token: String, index: Int) -> String { "sluice:{report:\(token)}:hll:\(index)" }

    /// Marks a dead letter as replayed into `stream` on a cluster (where the append and the
    /// delete from `events:dead` cannot share a transaction), under the stream's hash tag so
    /// the mark and the append are one script in one slot: a replay run again after a crash
    /// between append and delete appends nothing twice.
    public static func replayMarkKey(stream: String, letterId: String) -> String {
        let bytes = Array(stream.utf8)[...]
        let tag = HashSlot.tag(in: bytes).map { String(decoding: bytes[$0], as: UTF8.self) } ?? stream
        return "replayed:{\(tag)}:\(letterId)"
    }

    /// The cookieless secret of one UTC day (`day` = epoch ms / 86,400,000).
    public static func saltKey(day: Int64) -> String { "sluice:salt:\(day)" }

    /// A token bucket's key: `kind` is `address`, `visitor`, `site` or `server`. On a
    /// cluster every bucket shares the hash tag `{rl}`, so one script can check and take
    /// all of a request's buckets in one slot.
    public static func rateLimitKey(_ kind: String, _ name: String) -> String {
        tagsAreSpread.load(ordering: .acquiring) ? "rl:{rl}:\(kind):\(name)" : "rl:\(kind):\(name)"
    }
}
