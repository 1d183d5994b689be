import FoundationEssentials
import Logging
import SluiceCore
import SluiceMongo
import SluiceRedis
import SluiceRollups

/// Writes derived state behind to MongoDB (docs/derived-data.md): every flush
/// interval, one worker at a time (the `sluice:flush:lock` key) takes each
/// partition's changed keys, reads their state, writes sessions and visitors
/// (inserted the first time, then absolute `$set`/`$min`/`$max` updates) and
/// roll-up buckets (every partition's counts merged, written whole), then marks
/// them clean unless they changed meanwhile. A worker killed mid-flush loses
/// nothing: the keys stay dirty for the next flush.
final class DerivedFlusher {
    let store: MongoStore
    let partitions: Int
    let interval: Duration
    /// How long a clean session or visitor state stays in Redis (s).
    let stateLifetimeSeconds: Int
    /// How long after its end a bucket takes changes (ms).
    let rollupWindow: Int64
    let owner: String
    let metrics: WorkerMetrics
    let logger: Logger
    private var lastFlush = ContinuousClock.now
    /// Keys read per partition and pass.
    static let chunk = 2000

    init(
        store: MongoStore, partitions: Int, intervalSeconds: Int, stateLifetimeSeconds: Int, rollupWindowSeconds: Int, owner: String,
        metrics: WorkerMetrics, logger: Logger
    ) {
        self.store = store
        self.partitions = partitions
        self.interval = .seconds(intervalSeconds)
        self.stateLifetimeSeconds = stateLifetimeSeconds
        self.rollupWindow = Int64(rollupWindowSeconds) * 1000
        self.owner = owner
        self.metrics = metrics
        self.logger = logger
    }

    /// While the worker drains a backlog, flushes wait up to this many intervals.
    static let backlogDeferral = 10

    /// Flushes when an interval has passed since this worker's last flush (or try),
    /// or, while the worker drains a backlog (`backlogged`: its last read came back
    /// full), `backlogDeferral` intervals: the store's time goes to the events first,
    /// and a session changed throughout the backlog is written once instead of
    /// every interval. Derived documents cannot be fresher than the events they
    /// come from, which are late by the backlog anyway.
    func flushIfDue(redis: RedisConnection, backlogged: Bool) throws {
        let waited = ContinuousClock.now - lastFlush
        guard waited >= interval * (backlogged ? Self.backlogDeferral : 1) else { return }
        lastFlush = .now
        try flush(redis: redis)
    }

    /// One flush, if no other worker holds the lock: every dirty key, in passes of `chunk` per partition.
    func flush(redis: RedisConnection) throws {
        let lockMilliseconds = Int64(interval.components.seconds) * 3000 + 60_000
        guard try redis.run(RedisCommand("SET", StreamLayout.flushLockKey, owner, "NX", "PX", String(lockMilliseconds))).text == "OK" else { return }
        defer { _ = try? redis.run(RedisCommand("EVAL", Self.unlockScript, "1", StreamLayout.flushLockKey, owner)) }
        let started = ContinuousClock.now
        while try flushPass(redis: redis) {
            _ = try redis.run(RedisCommand("PEXPIRE", StreamLayout.flushLockKey, String(lockMilliseconds)))
        }
        metrics.flushDuration.record(ContinuousClock.now - started)
    }

    /// Releases the lock only if this worker still holds it.
    static let unlockScript = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0"

    /// Flushes up to `chunk` dirty keys of each partition; true when a partition had more.
    private func flushPass(redis: RedisConnection) throws -> Bool {
        let listed = try redis.pipeline((0..<partitions).map { RedisCommand("ZRANGE", StreamLayout.dirtyKey(partition: $0), "0", String(Self.chunk - 1), "WITHSCORES") })
        var dirty: [[(key: String, score: String)]] = []
        for reply in listed {
            if let message = reply.errorMessage { throw RedisError.commandFailed(command: "ZRANGE", message: message) }
            let items = reply.elements ?? []
            dirty.append(stride(from: 0, to: items.count - 1, by: 2).compactMap { i in items[i].text.flatMap { key in items[i + 1].text.map { (key, $0) } } })
        }
        guard dirty.contains(where: { !$0.isEmpty }) else { return false }
        let stateKeys = dirty.joined().map(\.key).filter { $0.hasPrefix("ss:") || $0.hasPrefix("vs:") }
        let states = try redis.pipeline(stateKeys.map { RedisCommand("HGETALL", $0) })
        var sessions = Writes(), visitors = Writes()
        for (key, reply) in zip(stateKeys, states) {
            let state = reply.fieldMap.compactMapValues(\.text)
            let id = VisitorState.id(ofKey: key)
            if key.hasPrefix("ss:") {
                sessions.add(key) { SessionState.operation(id: id, state: $0 ? state.merging(["stored": "1"]) { $1 } : state) }
            } else {
                visitors.add(key) { VisitorState.operation(id: id, state: $0 ? state.merging(["stored": "1"]) { $1 } : state) }
            }
        }
        var failed = Set<String>()
        failed.formUnion(try write("sessions", sessions))
        failed.formUnion(try write("visitors", visitors))
        let buckets = Set(dirty.joined().compactMap { entry -> String? in
            guard entry.key.hasPrefix("ru:") || entry.key.hasPrefix("rv:"), let close = entry.key.firstIndex(of: "}") else { return nil }
            return String(entry.key[close...].dropFirst(2))
        })
        failed.formUnion(try writeBuckets(buckets.sorted(), redis: redis))
        try clean(dirty, except: failed, redis: redis)
        return dirty.contains { $0.count == Self.chunk }
    }

    /// The writes of one collection: per key its operation and, for an insert, the
    /// update to send instead when the document is already there.
    struct Writes {
        var operations: [BulkOperation] = []
        var updates: [BulkOperation?] = []
        var keys: [String] = []

        /// Adds `key`'s write; `make(true)` is its write as if already stored.
        mutating func add(_ key: String, _ make: (Bool) -> BulkOperation?) {
            guard let operation = make(false) else { return }
            operations.append(operation)
            updates.append(operation.isInsert ? make(true) : nil)
            keys.append(key)
        }
    }

    /// Writes `writes`; inserts that find the document already there (a flush cut short
    /// after writing, or a document from before derived state lived in Redis) are sent
    /// again as updates. Returns the keys whose write failed.
    private func write(_ collection: String, _ writes: Writes) throws(MongoError) -> Set<String> {
        guard !writes.operations.isEmpty else { return [] }
        let outcome = try store.bulkWrite(collection: collection, operations: writes.operations)
        var failed = Set<String>()
        for failure in outcome.failures {
            failed.insert(writes.keys[failure.index])
            logger.error("derived write failed", metadata: ["sluice.collection": "\(collection)", "sluice.key": "\(writes.keys[failure.index])", "sluice.error": "\(failure)"])
        }
        let inserts = writes.updates.filter { $0 != nil }.count
        metrics.derivedWrites(collection, "insert", inserts - outcome.duplicateIndexes.count)
        metrics.derivedWrites(collection, "update", writes.operations.count - inserts)
        var again = Writes()
        for index in outcome.duplicateIndexes {
            guard let update = writes.updates[index] else { continue }
            again.operations.append(update)
            again.updates.append(nil)
            again.keys.append(writes.keys[index])
        }
        return failed.union(try write(collection, again))
    }
}
