import Foundation
import Logging
import SluiceCore
import SluiceMongo
import SluiceRedis
import Synchronization

/// The worker's main loop, on a thread of its own because hiredis and libmongoc block.
///
/// Read a batch, write it to MongoDB, dead-letter what can never be stored,
/// then acknowledge: an entry is acknowledged only after MongoDB (or the
/// dead-letter stream) has it. After a restart or a Redis error the loop first
/// re-reads this consumer's own pending entries.
final class ConsumerLoop: Sendable {
    private let consumer: StreamConsumerBox
    private let processor: BatchProcessor
    private let store: MongoStore
    private let batchSize: Int
    private let logger: Logger
    private let stopRequested = Atomic<Bool>(false)

    init(configuration: WorkerConfiguration, store: MongoStore, logger: Logger) throws(RedisError) {
        consumer = StreamConsumerBox(
            StreamConsumer(
                endpoint: try RedisEndpoint(url: configuration.redisURL), consumerName: configuration.consumerName,
                partitions: configuration.partitions, blockMilliseconds: configuration.blockMilliseconds, logger: logger))
        processor = BatchProcessor(store: store, logger: logger)
        self.store = store
        batchSize = configuration.batchSize
        self.logger = logger
    }

    /// Asks the loop to stop after the batch in hand is written and acknowledged.
    func requestStop() { stopRequested.store(true, ordering: .relaxed) }

    private var stopping: Bool { stopRequested.load(ordering: .relaxed) }

    /// Runs until `requestStop()`; blocking.
    func run() {
        var backoff = Backoff()
        while !stopping {
            guard createIndexes() else { backoff.sleep(); continue }
            break
        }
        var readingPending = true
        var stored = 0, duplicates = 0, dead = 0
        var lastReport = ContinuousClock.now
        while !stopping {
            do {
                let messages = try consumer.value.read(pending: readingPending, count: batchSize)
                if messages.isEmpty {
                    readingPending = false
                } else if let result = writeAndAcknowledge(messages) {
                    stored += result.stored
                    duplicates += result.duplicates
                    dead += result.deadLetters.count
                }
                backoff.reset()
            } catch {
                logger.warning("redis read failed, retrying", metadata: ["sluice.error": "\(error)"])
                readingPending = true
                backoff.sleep()
            }
            if ContinuousClock.now - lastReport > .seconds(10), stored + duplicates + dead > 0 {
                logger.info("progress", metadata: ["sluice.stored": "\(stored)", "sluice.duplicates": "\(duplicates)", "sluice.dead": "\(dead)"])
                (stored, duplicates, dead) = (0, 0, 0)
                lastReport = .now
            }
        }
        logger.info("consumer stopped")
    }

    /// Writes one batch, retrying with backoff while MongoDB is unreachable; returns
    /// nil if asked to stop before the batch could be finished (it stays pending).
    private func writeAndAcknowledge(_ messages: [StreamMessage]) -> BatchResult? {
        var backoff = Backoff()
        while true {
            do {
                let result = try processor.process(messages)
                try consumer.value.deadLetter(result.deadLetters, failedAt: Int64(Date().timeIntervalSince1970 * 1000))
                try consumer.value.acknowledge(result.acknowledge + result.deadLetters.map(\.message))
                for letter in result.deadLetters {
                    logger.warning("dead-lettered", metadata: ["sluice.stream": "\(letter.message.stream)", "sluice.entry": "\(letter.message.id)", "sluice.reason": "\(letter.reason)"])
                }
                logger.debug("batch written", metadata: ["sluice.batch.size": "\(messages.count)", "sluice.stored": "\(result.stored)", "sluice.duplicates": "\(result.duplicates)"])
                return result
            } catch {
                logger.warning("batch not written, retrying", metadata: ["sluice.batch.size": "\(messages.count)", "sluice.error": "\(error)"])
                if stopping { return nil }
                backoff.sleep()
            }
        }
    }

    private func createIndexes() -> Bool {
        do {
            for (collection, indexes) in IndexCatalog.indexes {
                try store.createIndexes(collection: collection, indexes: indexes)
            }
            logger.info("indexes ensured", metadata: ["sluice.collections": "\(IndexCatalog.indexes.count)"])
            return true
        } catch {
            logger.warning("cannot create indexes yet, retrying", metadata: ["sluice.error": "\(error)"])
            return false
        }
    }
}

/// Holds the consumer, which only the loop's thread touches.
private final class StreamConsumerBox: @unchecked Sendable {
    let value: StreamConsumer
    init(_ value: StreamConsumer) { self.value = value }
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
