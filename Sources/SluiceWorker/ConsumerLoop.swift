import Foundation
import Logging
import SluiceCore
import SluiceMongo
import SluiceRedis
import SluiceUserAgent
import Synchronization

/// The worker's main loop, on a thread of its own because hiredis and libmongoc block.
///
/// Read a batch, write it to MongoDB, dead-letter what can never be stored,
/// then acknowledge: an entry is acknowledged only after MongoDB (or the
/// dead-letter stream) has it. After a restart or a Redis error the loop first
/// re-reads this consumer's own pending entries; every few seconds it takes
/// over entries left pending by dead workers and trims what every group has
/// acknowledged. While MongoDB does not answer (`storeReachable`, the worker's
/// `/readyz`) it neither reads nor takes over anything: each read of a pending
/// entry or claim adds a delivery, and an outage must dead-letter nothing.
final class ConsumerLoop: Sendable {
    private let storeReachable: @Sendable () -> Bool
    private let state: LoopState
    private let sweep: SessionSweep
    private let deadLetterMover: DeadLetterMover
    private let store: MongoStore
    private let configuration: WorkerConfiguration
    private let metrics: WorkerMetrics
    private let logger: Logger
    private let stopRequested = Atomic<Bool>(false)
    private let backlogged = Atomic<Bool>(false)
    private let writing = Atomic<Bool>(false)
    private let batchesWritten = Atomic<Int>(0)
    /// Whether the loop is writing a batch to the store now, and how many it has written
    /// (the flusher takes turns with it).
    var activity: ConsumerActivity { ConsumerActivity(writing: writing.load(ordering: .relaxed), batches: batchesWritten.load(ordering: .relaxed)) }
    /// Whether the last read came back full: the worker is draining a backlog.
    var isBacklogged: Bool { backlogged.load(ordering: .relaxed) }
    static let maintenanceInterval = Duration.seconds(5)

    init(
        configuration: WorkerConfiguration, store: MongoStore, userAgents: CachedUserAgentParser, metrics: WorkerMetrics, logger: Logger,
        storeReachable: @escaping @Sendable () -> Bool = { true }
    ) throws(RedisError) {
        self.storeReachable = storeReachable
        state = LoopState(
            consumer: StreamConsumer(
                endpoint: try RedisEndpoint(url: configuration.redisURL), consumerName: configuration.consumerName,
                partitions: configuration.partitions, blockMilliseconds: configuration.blockMilliseconds, logger: logger),
            processor: BatchProcessor(
                store: store,
                enricher: EventEnricher(userAgents: userAgents, maxEventAgeMilliseconds: Int64(configuration.maxEventAgeSeconds) * 1000)),
            stitcher: SessionStitcher(timeoutSeconds: configuration.sessionTimeoutSeconds, partitions: configuration.partitions),
            derived: DerivedStep(
                rollupWindowSeconds: configuration.rollupWindowSeconds, flushIntervalSeconds: configuration.flushIntervalSeconds,
                funnels: configuration.funnels))
        sweep = SessionSweep(store: store, timeoutSeconds: configuration.sessionTimeoutSeconds)
        deadLetterMover = DeadLetterMover(
            store: store, limit: configuration.deadLetterLimit, maxAgeSeconds: configuration.deadLetterMaxAgeSeconds, metrics: metrics, logger: logger)
        self.store = store
        self.configuration = configuration
        self.metrics = metrics
        self.logger = logger
    }

    /// Asks the loop to stop after the batch in hand is written and acknowledged.
    func requestStop() { stopRequested.store(true, ordering: .relaxed) }

    private var stopping: Bool { stopRequested.load(ordering: .relaxed) }
    private var consumer: StreamConsumer { state.consumer }

    /// Runs until `requestStop()`; blocking.
    func run() {
        var backoff = Backoff()
        while !stopping && !createIndexes() { backoff.sleep() }
        var readingPending = true
        var lastMaintenance = ContinuousClock.now
        var waitingForStore = false
        while !stopping {
            guard storeReachable() else {
                if !waitingForStore { logger.warning("MongoDB does not answer: reading and claiming nothing until it does") }
                waitingForStore = true
                Thread.sleep(forTimeInterval: 0.2)
                continue
            }
            if waitingForStore {
                logger.info("MongoDB answers again: reading")
                waitingForStore = false
                readingPending = true
            }
            do {
                let messages = try consumer.read(pending: readingPending, count: configuration.batchSize)
                if messages.isEmpty {
                    readingPending = false
                } else {
                    try handle(messages, redelivered: readingPending)
                }
                // A full batch means more is waiting: the worker is draining a backlog.
                backlogged.store(messages.count >= configuration.batchSize, ordering: .relaxed)
                if ContinuousClock.now - lastMaintenance > Self.maintenanceInterval {
                    lastMaintenance = .now
                    try maintain()
                }
                backoff.reset()
            } catch {
                logger.warning("redis operation failed, retrying", metadata: ["sluice.error": "\(error)"])
                readingPending = true
                backoff.sleep()
            }
        }
        logger.info("consumer stopped")
    }

    /// Dead-letters entries delivered too often, then writes and acknowledges the rest.
    private func handle(_ messages: [StreamMessage], redelivered: Bool) throws(RedisError) {
        metrics.consumed.increment(by: Int64(messages.count))
        var batch = messages
        var exhausted: [(message: StreamMessage, reason: String)] = []
        if redelivered {
            // Only re-read or claimed entries can have been delivered before; a new read costs no lookup.
            let counts = try consumer.deliveryCounts(messages)
            batch = []
            for (message, count) in zip(messages, counts) {
                if count > configuration.maxDeliveries {
                    exhausted.append((message, "delivered \(count) times without being stored (SLUICE_MAX_DELIVERIES=\(configuration.maxDeliveries))"))
                } else {
                    batch.append(message)
                }
            }
        }
        if !exhausted.isEmpty { try deadLetterAndAcknowledge(exhausted) }
        if !batch.isEmpty { writeAndAcknowledge(batch) }
    }

    private func deadLetterAndAcknowledge(_ letters: [(message: StreamMessage, reason: String)]) throws(RedisError) {
        try consumer.deadLetter(letters, failedAt: Int64(Date().timeIntervalSince1970 * 1000))
        try consumer.acknowledge(letters.map(\.message))
        metrics.deadLettered.increment(by: Int64(letters.count))
        state.drainRate.add(letters.count)
        for letter in letters {
            logger.warning(
                "dead-lettered",
                metadata: ["sluice.stream": "\(letter.message.stream)", "sluice.entry": "\(letter.message.id)", "sluice.reason": "\(letter.reason)"])
        }
    }

    /// Writes one batch, retrying with backoff while MongoDB or Redis is unreachable
    /// (however long: an outage dead-letters nothing). A batch MongoDB keeps refusing
    /// is released after `BatchRetryPolicy.maxRefusals` tries: left pending, it is
    /// claimed again after `SLUICE_CLAIM_IDLE` and dead-lettered past
    /// `SLUICE_MAX_DELIVERIES`. When asked to stop it gives up at once (the batch then
    /// stays pending for the next start).
    private func writeAndAcknowledge(_ messages: [StreamMessage]) {
        writing.store(true, ordering: .relaxed)
        defer {
            writing.store(false, ordering: .relaxed)
            batchesWritten.add(1, ordering: .relaxed)
        }
        var backoff = Backoff()
        var policy = BatchRetryPolicy()
        let started = ContinuousClock.now
        while true {
            do {
                let redis = try consumer.connected()
                let result = try state.processor.process(messages, sessions: state.stitcher.on(redis))
                // Live counters are a best-effort view: a failure must not hold the batch back.
                _ = try? redis.pipeline(result.live.commands(now: Int64(Date().timeIntervalSince1970 * 1000)))
                try deadLetterAndAcknowledge(result.deadLetters)
                let counted = Dictionary(grouping: result.counted, by: \.decoded.message.stream)
                var parts: [DerivedStep.Part] = []
                for (stream, entries) in Dictionary(grouping: result.acknowledge, by: \.stream) {
                    guard let partition = StreamLayout.partition(ofStreamKey: stream) else {
                        throw RedisError.unexpectedReply(command: "XREADGROUP", reply: "stream \(stream)")
                    }
                    parts.append(DerivedStep.Part(messages: entries, counted: counted[stream] ?? [], stream: stream, partition: partition))
                }
                let outcome = try state.derived.acknowledge(parts, redis: redis, store: store)
                metrics.rollupLateEvents.increment(by: Int64(outcome.lateForRollups))
                metrics.stored.increment(by: Int64(result.stored))
                metrics.duplicates.increment(by: Int64(result.duplicates))
                metrics.batchDuration.record(ContinuousClock.now - started)
                state.drainRate.add(result.acknowledge.count)
                logger.debug(
                    "batch written",
                    metadata: ["sluice.batch.size": "\(messages.count)", "sluice.stored": "\(result.stored)", "sluice.duplicates": "\(result.duplicates)"])
                return
            } catch {
                let failure = BatchFailure(classifying: error)
                if policy.decide(after: failure) == .release {
                    metrics.released.increment()
                    logger.error(
                        "batch released to redelivery: MongoDB refused it \(policy.refusals) times",
                        metadata: [
                            "sluice.batch.size": "\(messages.count)", "sluice.error": "\(failure)", "sluice.first": "\(messages[0].stream) \(messages[0].id)",
                        ])
                    return
                }
                metrics.retries.increment()
                logger.warning("batch not written, retrying", metadata: ["sluice.batch.size": "\(messages.count)", "sluice.error": "\(failure)"])
                if stopping { return }
                backoff.sleep()
            }
        }
    }

    /// Reclaims entries of dead consumers, trims acknowledged entries, moves dead letters past their
    /// bound to MongoDB, publishes gauges and the drain rate.
    private func maintain() throws(RedisError) {
        while !stopping {
            let claimed = try consumer.claim(minIdleMilliseconds: configuration.claimIdleSeconds * 1000, count: configuration.batchSize)
            guard !claimed.isEmpty else { break }
            metrics.claimed.increment(by: Int64(claimed.count))
            logger.info("claimed entries from idle consumers", metadata: ["sluice.batch.size": "\(claimed.count)"])
            try handle(claimed, redelivered: true)
        }
        metrics.trimmed.increment(by: Int64(try consumer.trimAcknowledged()))
        deadLetterMover.run(on: try consumer.connected(), nowMilliseconds: Int64(Date().timeIntervalSince1970 * 1000))
        let backlog = try consumer.backlog()
        metrics.lag.set(Double(backlog.lag))
        metrics.pending.set(Double(backlog.pending))
        try consumer.removeDepartedConsumers(idleMilliseconds: max(3_600_000, configuration.claimIdleSeconds * 10_000))
        state.drainRate.sample()
        metrics.drainRate.set(state.drainRate.perSecond)
        try consumer.publishDrainRate(state.drainRate.perSecond)
        if ContinuousClock.now - state.lastSweep > .seconds(60) {
            state.lastSweep = .now
            do {
                let closed = try sweep.run()
                if closed > 0 { logger.info("closed idle sessions", metadata: ["sluice.sessions": "\(closed)"]) }
            } catch {
                logger.warning("session sweep failed", metadata: ["sluice.error": "\(error)"])
            }
        }
    }

    private func createIndexes() -> Bool {
        do {
            for (collection, indexes) in IndexCatalog.indexes {
                try store.createIndexes(collection: collection, indexes: indexes)
            }
            // One call per age index: a retention conflict on one must not keep the others from being made.
            for (collection, index) in IndexCatalog.ageIndexes(retention: configuration.retention) {
                do throws(MongoError) {
                    try store.createIndexes(collection: collection, indexes: [index])
                } catch .commandFailed(_, _, let code, _) where IndexCatalog.optionsConflictCodes.contains(code) {
                    // The index exists with another expiry (or none): the retention changed.
                    do throws(MongoError) {
                        try IndexCatalog.change(index, on: collection, in: store)
                        logger.notice(
                            "retention changed",
                            metadata: [
                                "sluice.collection": "\(collection)", "sluice.index": "\(index.name)",
                                "sluice.expireAfterSeconds": "\(index.expireAfterSeconds.map(String.init) ?? "none")",
                            ])
                    } catch .commandFailed(_, _, let code, let message) {
                        // Not a reason to stop storing events: said loudly at every start until fixed.
                        logger.error(
                            "retention not applied",
                            metadata: [
                                "sluice.collection": "\(collection)", "sluice.index": "\(index.name)",
                                "sluice.fix": "\(IndexCatalog.conflictAdvice(collection: collection, index: index))",
                                "sluice.error": "code \(code): \(message)",
                            ])
                    }
                }
            }
            logger.info(
                "indexes ensured",
                metadata: ["sluice.collections": "\(RetentionPolicy.collections.count)", "sluice.retention": "\(configuration.retention.summary)"])
            return true
        } catch {
            logger.warning("cannot create indexes yet, retrying", metadata: ["sluice.error": "\(error)"])
            return false
        }
    }
}

/// What only the loop's thread touches.
private final class LoopState: @unchecked Sendable {
    let consumer: StreamConsumer
    let processor: BatchProcessor
    let stitcher: SessionStitcher
    let derived: DerivedStep
    var drainRate = DrainRate()
    var lastSweep = ContinuousClock.now
    init(consumer: StreamConsumer, processor: BatchProcessor, stitcher: SessionStitcher, derived: DerivedStep) {
        self.consumer = consumer
        self.processor = processor
        self.stitcher = stitcher
        self.derived = derived
    }
}

/// Capped exponential backoff: 100 ms doubling to 5 s.
struct Backoff {
    private var delay = 0.1

    mutating func sleep() {
        Thread.sleep(forTimeInterval: delay)
        delay = min(delay * 2, 5)
    }

    mutating func reset() { delay = 0.1 }
}
