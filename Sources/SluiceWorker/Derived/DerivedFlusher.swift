import Foundation
import Logging
import SluiceCore
import SluiceMongo
import SluiceRedis
import SluiceRollups
import Synchronization

/// Writes derived state behind to MongoDB (docs/derived-data.md), on a thread of
/// its own so the consumer never waits for it. About once a second one worker at
/// a time (the `sluice:flush:lock` key) takes every key changed at least one flush
/// interval ago (`dirty:{p}` scores are when the first change since the key's last
/// flush arrived, `DerivedStep.changedAt`), reads its state, writes sessions and visitors (inserted the
/// first time, then absolute `$set`/`$min`/`$max` updates) and roll-up buckets
/// (every partition's counts merged, written whole), then marks them clean unless
/// they changed meanwhile. Each key is thus written at most once per interval and
/// at most an interval and a pass after it changed, in small passes that spread
/// the store's work, bigger ones while it is behind (`nextChunk`). A worker killed
/// mid-flush loses nothing: the keys stay dirty for the next pass.
final class DerivedFlusher: @unchecked Sendable {
    let store: MongoStore
    let partitions: Int
    /// How long a change waits before it is written (ms).
    let interval: Int64
    /// How long a clean session or visitor state stays in Redis (s).
    let stateLifetimeSeconds: Int
    /// How long after its end a bucket takes changes (ms).
    let rollupWindow: Int64
    let owner: String
    let metrics: WorkerMetrics
    let logger: Logger
    /// Keys read per partition and pass: small passes, so a batch of events waits for
    /// at most one of them at the store (16 keeps a pass of inserts near 20 ms on the
    /// embedded store, where 32 put updates-heavy passes past 150 ms: the lag's p99).
    static let chunk = 16
    /// The largest pass, per partition, of a flusher that is behind (see `nextChunk`).
    static let maxChunk = 128
    /// What the consumer is doing: passes take turns with its batches at the store,
    /// which serves its writers one at a time (see `awaitTurn`).
    let consumer: @Sendable () -> ConsumerActivity
    /// The longest a pass waits for its turn.
    static let yieldLimit = Duration.seconds(2)
    /// How long the lock outlives a pass that renews it no more.
    static let lockMilliseconds = 10_000
    /// While the worker drains a backlog, changes wait this many intervals.
    static let backlogDeferral: Int64 = 10
    /// How long the last look outside a backlog took, waits for turns included (ms).
    private let lastLookMilliseconds = Atomic<Int64>(0)

    init(
        store: MongoStore, partitions: Int, intervalSeconds: Int, stateLifetimeSeconds: Int, rollupWindowSeconds: Int, owner: String,
        metrics: WorkerMetrics, logger: Logger, consumer: @escaping @Sendable () -> ConsumerActivity = { ConsumerActivity(writing: false, batches: 0) }
    ) {
        self.consumer = consumer
        self.store = store
        self.partitions = partitions
        self.interval = Int64(intervalSeconds) * 1000
        self.stateLifetimeSeconds = stateLifetimeSeconds
        self.rollupWindow = Int64(rollupWindowSeconds) * 1000
        self.owner = owner
        self.metrics = metrics
        self.logger = logger
    }

    /// How often the flusher looks for due keys (ms).
    var periodMilliseconds: Int64 { min(1000, max(100, interval / 4)) }

    /// How much earlier than its interval a change is written, so that it is in the store
    /// within the interval (ms): the time the last look took to write every key then due
    /// (the passes before a key's own, turns with the consumer included), at least
    /// `minimumLeadMilliseconds`, at most a quarter of the interval.
    var leadMilliseconds: Int64 {
        Self.lead(intervalMilliseconds: interval, lastLookMilliseconds: lastLookMilliseconds.load(ordering: .relaxed), period: periodMilliseconds)
    }

    /// The least lead: a store about 95% busy kept a write waiting past a 3-s lead
    /// (62.0 s staleness against a 61-s bound in make bench's lag phase).
    static let minimumLeadMilliseconds: Int64 = 5000

    /// The lead for an interval, given how long the last look took (see `leadMilliseconds`):
    /// a store that falls behind gets the changes earlier rather than late.
    static func lead(intervalMilliseconds interval: Int64, lastLookMilliseconds lastLook: Int64, period: Int64) -> Int64 {
        min(interval / 4, max(minimumLeadMilliseconds, lastLook + period))
    }

    /// Writes the keys first changed at least an interval (less `leadMilliseconds`) ago
    /// or, while the worker drains a backlog, `backlogDeferral` intervals ago: the
    /// store's time goes to the events first, and a session changed throughout the
    /// backlog is written once instead of every interval. Derived documents cannot be
    /// fresher than the events they come from, which are late by the backlog anyway.
    func flushDue(redis: RedisConnection, backlogged: Bool) throws {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        if backlogged { return try flush(redis: redis, changedBefore: now - interval * Self.backlogDeferral) }
        let started = ContinuousClock.now
        try flush(redis: redis, changedBefore: now - interval + leadMilliseconds, behindMargin: periodMilliseconds)
        let took = ContinuousClock.now - started
        lastLookMilliseconds.store(took.components.seconds * 1000 + took.components.attoseconds / 1_000_000_000_000_000, ordering: .relaxed)
    }

    /// Writes every changed key now, whatever its age (a stopping worker, tests).
    func flush(redis: RedisConnection) throws {
        try flush(redis: redis, changedBefore: Int64.max)
    }

    /// Passes over the keys first changed before `cutoff` (epoch ms), if no other
    /// worker holds the lock. With `behindMargin` (ms), a pass that finds a key within
    /// that margin of its interval's end (written after the next look, it would be late)
    /// makes the next pass bigger and not wait for the consumer (`nextChunk`).
    private func flush(redis: RedisConnection, changedBefore cutoff: Int64, behindMargin: Int64? = nil) throws {
        // Renewed every pass: a worker killed mid-pass holds up the others for seconds, not minutes.
        let lockMilliseconds = String(Self.lockMilliseconds)
        guard try redis.run(RedisCommand("SET", StreamLayout.flushLockKey, owner, "NX", "PX", lockMilliseconds)).text == "OK" else { return }
        defer { _ = try? redis.run(RedisCommand("EVAL", Self.unlockScript, "1", StreamLayout.flushLockKey, owner)) }
        var working = Duration.zero
        var wrote = false
        var lastBatches = -1
        var chunk = Self.chunk
        while true {
            // Behind (a bigger pass than usual), the flusher does not wait for the consumer's batches.
            lastBatches = chunk == Self.chunk ? awaitTurn(after: lastBatches) : consumer().batches
            let started = ContinuousClock.now
            let pass = try flushPass(redis: redis, cutoff: cutoff, chunk: chunk, wrote: &wrote)
            working += ContinuousClock.now - started
            guard pass.more else { break }
            if let behindMargin {
                let deadline = Int64(Date().timeIntervalSince1970 * 1000) - interval + behindMargin
                chunk = Self.nextChunk(after: chunk, oldestChange: pass.oldestChange, behindBefore: deadline)
            }
            // A lock that lapsed during a long pass may be another worker's now: the look stops.
            guard try redis.run(RedisCommand("EVAL", Self.renewScript, "1", StreamLayout.flushLockKey, owner, lockMilliseconds)).integer == 1 else { break }
        }
        // The store's time, not the waits for the consumer.
        if wrote { metrics.flushDuration.record(working) }
    }

    /// The chunk of the pass after one of `chunk` keys per partition whose oldest key was
    /// first changed at `oldestChange`: doubled (up to `maxChunk`) when that is before
    /// `behindBefore`, i.e. the key reaches its interval's end before the next look, so a
    /// flusher that falls behind the traffic (turns with a busy consumer, a slow store)
    /// takes a larger share of the store until it has caught up; the usual `chunk` otherwise.
    static func nextChunk(after chunk: Int, oldestChange: Int64?, behindBefore deadline: Int64) -> Int {
        guard let oldestChange, oldestChange < deadline else { return Self.chunk }
        return min(chunk * 2, maxChunk)
    }

    /// Waits for the flusher's turn: at once while the consumer is not writing, else
    /// until it has finished a batch since the last pass (`lastBatches`), up to
    /// `yieldLimit`. Passes and batches thus alternate at the store: a batch waits for
    /// at most one small pass, and under load the consumer's batches grow, which is
    /// what makes its events cheaper. Returns the consumer's batch count.
    private func awaitTurn(after lastBatches: Int) -> Int {
        let started = ContinuousClock.now
        while ContinuousClock.now - started < Self.yieldLimit {
            let activity = consumer()
            if !activity.writing || activity.batches != lastBatches { return activity.batches }
            Thread.sleep(forTimeInterval: 0.002)
        }
        return consumer().batches
    }

    /// Releases the lock only if this worker still holds it.
    static let unlockScript = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0"

    /// Extends the lock by ARGV[2] ms only if this worker (ARGV[1]) still holds it; 1 if so.
    static let renewScript = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0"

    /// Flushes up to `chunk` due keys of each partition: whether a partition had more, and
    /// the oldest first change among them.
    private func flushPass(redis: RedisConnection, cutoff: Int64, chunk: Int, wrote: inout Bool) throws -> (more: Bool, oldestChange: Int64?) {
        let bound = cutoff == Int64.max ? "+inf" : String(cutoff)
        let listed = try redis.pipeline(
            (0..<partitions).map {
                RedisCommand("ZRANGEBYSCORE", StreamLayout.dirtyKey(partition: $0), "-inf", bound, "WITHSCORES", "LIMIT", "0", String(chunk))
            })
        var due: [[String]] = []
        var firstChanges: [Int64] = []
        for reply in listed {
            if let message = reply.errorMessage { throw RedisError.commandFailed(command: "ZRANGEBYSCORE", message: message) }
            let pairs = reply.elements ?? []
            due.append(stride(from: 0, to: pairs.count - 1, by: 2).compactMap { pairs[$0].text })
            firstChanges += stride(from: 1, to: pairs.count, by: 2).compactMap { pairs[$0].integer }
        }
        guard due.contains(where: { !$0.isEmpty }) else { return (false, nil) }
        wrote = true
        defer {
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            for first in firstChanges { metrics.derivedAge.record(.milliseconds(max(0, now - first))) }
        }
        let stateKeys = due.joined().filter { [.session, .visitor].contains(StreamLayout.DerivedKey(ofKey: $0)) }
        let states = try redis.pipeline(stateKeys.map { RedisCommand("HGETALL", $0) })
        var versions: [String: String] = [:]
        var sessions = Writes()
        var visitors = Writes()
        for (key, reply) in zip(stateKeys, states) {
            let state = reply.fieldMap.compactMapValues(\.text)
            versions[key] = state[DerivedStepScript.versionField]
            let id = StreamLayout.DerivedKey.name(ofKey: key)
            if StreamLayout.DerivedKey(ofKey: key) == .session {
                sessions.add(key) { SessionState.operation(id: id, state: $0 ? state.merging(["stored": "1"]) { $1 } : state) }
            } else {
                visitors.add(key) { VisitorState.operation(id: id, state: $0 ? state.merging(["stored": "1"]) { $1 } : state) }
            }
        }
        var failed = Set<String>()
        failed.formUnion(try write(StoreCollection.sessions, sessions))
        failed.formUnion(try write(StoreCollection.visitors, visitors))
        let buckets = Set(due.joined().filter { StreamLayout.DerivedKey(ofKey: $0) == .rollup }.map(StreamLayout.DerivedKey.name(ofKey:)))
        let written = try writeBuckets(buckets.sorted(), redis: redis)
        failed.formUnion(written.failed)
        versions.merge(written.versions) { $1 }
        try clean(due, versions: versions, except: failed, redis: redis)
        return (due.contains { $0.count == chunk }, firstChanges.min())
    }
}

/// What the consumer loop is doing, as the flusher sees it.
struct ConsumerActivity: Sendable {
    /// Whether it is writing a batch now.
    let writing: Bool
    /// Batches it has finished.
    let batches: Int
}
