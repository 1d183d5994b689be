import Foundation
import Logging
import SluiceCore
import SluiceRedis
import Synchronization

/// The flusher's own thread: every `DerivedFlusher.periodMilliseconds` it writes the derived
/// state that is due, with a Redis connection of its own, so the consumer never
/// waits for the store's derived writes. Stopping, it writes everything still
/// dirty once.
final class FlushLoop: Sendable {
    private let flusher: DerivedFlusher
    private let endpoint: RedisEndpoint
    private let backlogged: @Sendable () -> Bool
    private let logger: Logger
    private let stopRequested = Atomic<Bool>(false)

    init(flusher: DerivedFlusher, endpoint: RedisEndpoint, backlogged: @escaping @Sendable () -> Bool, logger: Logger) {
        self.flusher = flusher
        self.endpoint = endpoint
        self.backlogged = backlogged
        self.logger = logger
    }

    /// Asks the loop to stop after a last flush of everything.
    func requestStop() { stopRequested.store(true, ordering: .relaxed) }

    /// Runs until `requestStop()`; blocking.
    func run() {
        var redis: RedisConnection?
        var backoff = Backoff()
        while !stopRequested.load(ordering: .relaxed) {
            do {
                let connection = try redis ?? RedisConnection(endpoint: endpoint)
                redis = connection
                let started = ContinuousClock.now
                try flusher.flushDue(redis: connection, backlogged: backlogged())
                backoff.reset()
                // Looks start a period apart, however long the flush took.
                let rest = Duration.milliseconds(flusher.periodMilliseconds) - (ContinuousClock.now - started)
                if rest > .zero { Thread.sleep(forTimeInterval: rest.inSeconds) }
            } catch {
                logger.warning("flush of derived data failed, retrying", metadata: ["sluice.error": "\(error)"])
                redis = nil
                backoff.sleep()
            }
        }
        // What this worker changed is written now rather than left for another worker.
        do {
            try flusher.flush(redis: try redis ?? RedisConnection(endpoint: endpoint))
        } catch {
            logger.warning("last flush of derived data failed; another worker writes it", metadata: ["sluice.error": "\(error)"])
        }
        logger.info("flusher stopped")
    }
}
