extension StreamLayout {
    /// The hash under which each worker publishes its drain rate (`<rate>:<epoch ms>`
    /// per consumer name); ingest reads it for `Retry-After`.
    public static let drainKey = "sluice:drain"

    /// A visitor's current-session hash `{id, last}` (DESIGN.md, "Sessions"), under its partition's hash tag.
    public static func sessionKey(visitorId: String, partitions: Int) -> String {
        "sess:{\(partition(visitorId: visitorId, partitions: partitions))}:\(visitorId)"
    }

    /// The derived state of a session (docs/derived-data.md), under its visitor's partition.
    public static func sessionStateKey(sessionId: String, partition: Int) -> String { "ss:{\(partition)}:\(sessionId)" }

    /// The derived state of a visitor, under its partition.
    public static func visitorStateKey(visitorId: String, partition: Int) -> String { "vs:{\(partition)}:\(visitorId)" }

    /// A roll-up bucket's counts from one partition (`bucket` is `RollupBucket.name`).
    public static func rollupKey(bucket: String, partition: Int) -> String { "ru:{\(partition)}:\(bucket)" }

    /// A roll-up bucket's HyperLogLog of human visitor ids from one partition.
    public static func rollupVisitorsKey(bucket: String, partition: Int) -> String { "rv:{\(partition)}:\(bucket)" }

    /// What a chat's feedback is counted against: its agent, model, language, buckets and
    /// current feedback (`scopedId` is the chat document's `_id`).
    public static func chatKey(scopedId: String, partition: Int) -> String { "ci:{\(partition)}:\(scopedId)" }

    /// A partition's changed derived keys, scored by the change's sequence number; the flusher's to-do list.
    public static func dirtyKey(partition: Int) -> String { "dirty:{\(partition)}" }

    /// The sequence behind `dirtyKey`'s scores.
    public static func dirtySequenceKey(partition: Int) -> String { "dirtyseq:{\(partition)}" }

    /// Held by the one worker flushing derived state at a time.
    public static let flushLockKey = "sluice:flush:lock"

    /// Scratch keys the flusher merges one bucket's HyperLogLogs in (one hash tag, so one slot).
    public static func flushScratchKey(_ index: Int) -> String { "sluice:{flush}:hll:\(index)" }

    /// The cookieless secret of one UTC day (`day` = epoch ms / 86,400,000).
    public static func saltKey(day: Int64) -> String { "sluice:salt:\(day)" }

    /// A token bucket's key: `kind` is `address`, `visitor`, `site` or `server`.
    public static func rateLimitKey(_ kind: String, _ name: String) -> String { "rl:\(kind):\(name)" }
}
