import Foundation
import Logging
import ServiceLifecycle
import SluiceCore
import SluiceMongo
import SluiceRedis
import SluiceUserAgent

/// The worker as a service: runs the consumer loop and the flusher on threads of
/// their own and, on graceful shutdown (SIGTERM/SIGINT) or when its service group is
/// cancelled, lets the consumer finish and acknowledge the batch in hand, then the
/// flusher write what is still dirty, and returns.
public struct WorkerService: Service {
    let configuration: WorkerConfiguration
    let metrics: WorkerMetrics
    let logger: Logger
    let storeReachable: @Sendable () -> Bool

    /// A worker with the given configuration, counting into `metrics`, reading only while
    /// `storeReachable` says MongoDB answers (the worker's readiness probe).
    public init(configuration: WorkerConfiguration, metrics: WorkerMetrics, logger: Logger, storeReachable: @escaping @Sendable () -> Bool = { true }) {
        self.configuration = configuration
        self.metrics = metrics
        self.logger = logger
        self.storeReachable = storeReachable
    }

    /// Consumes until a graceful shutdown or cancellation, then returns once both threads have stopped.
    public func run() async throws {
        let endpoint = try RedisEndpoint(url: configuration.redisURL)
        StreamLayout.usePartitionTags(endpoint.partitionTags(partitions: configuration.partitions))
        // The client pool and the user-agent rules (a second of YAML and regexes) are made on a
        // thread of their own: blocking work stays off the cooperative pool.
        let (configuration, logger) = (configuration, logger)
        let (store, userAgents) = try await Self.onOwnThread {
            let store = try MongoStore(url: configuration.mongoURL, appName: "sluice-worker", writeConcern: configuration.mongoWriteConcern, logger: logger)
            do {
                return (store, try CachedUserAgentParser(regexesPath: configuration.userAgentRegexesPath, capacity: configuration.userAgentCacheSize))
            } catch {
                store.close()
                throw error
            }
        }
        defer { store.close() }
        logger.info("MongoDB: \(store.connectionSummary)")
        let loop = try ConsumerLoop(
            configuration: configuration, store: store, userAgents: userAgents, metrics: metrics, logger: logger, storeReachable: storeReachable)
        let flusher = DerivedFlusher(
            store: store, partitions: configuration.partitions, intervalSeconds: configuration.flushIntervalSeconds,
            stateLifetimeSeconds: configuration.sessionTimeoutSeconds * 2 + 60, rollupWindowSeconds: configuration.rollupWindowSeconds,
            owner: configuration.consumerName, metrics: metrics, logger: logger, consumer: { loop.activity })
        let flushLoop = FlushLoop(flusher: flusher, endpoint: endpoint, backlogged: { loop.isBacklogged }, logger: logger)
        // Graceful shutdown (a signal) and cancellation (another service of the group failed, such as
        // the metrics server on a taken port) both stop the consumer: its thread must not outlive the group.
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await runThreads(loop: loop, flushLoop: flushLoop)
            } onGracefulShutdown: {
                logger.info("shutting down: finishing the batch in hand, then a last flush")
                loop.requestStop()
            }
        } onCancel: {
            logger.info("cancelled with its service group: finishing the batch in hand, then a last flush")
            loop.requestStop()
        }
    }

    /// `body`'s result, computed on a new thread.
    private static func onOwnThread<Result: Sendable>(_ body: @escaping @Sendable () throws -> Result) async throws -> Result {
        try await withCheckedThrowingContinuation { (done: CheckedContinuation<Result, any Error>) in
            Thread { done.resume(with: Swift.Result { try body() }) }.start()
        }
    }

    /// Runs the consumer and the flusher on threads of their own; returns once both have stopped.
    private func runThreads(loop: ConsumerLoop, flushLoop: FlushLoop) async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            let consumer = Thread {
                loop.run()
                // The consumer's last batch is acknowledged: its changes go out with the flusher's last pass.
                flushLoop.requestStop()
            }
            consumer.name = "sluice-consumer"
            let flushing = Thread {
                flushLoop.run()
                done.resume()
            }
            flushing.name = "sluice-flusher"
            consumer.start()
            flushing.start()
        }
    }
}
