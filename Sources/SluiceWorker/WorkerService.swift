import Foundation
import Logging
import ServiceLifecycle
import SluiceMongo
import SluiceRedis
import SluiceUserAgent

/// The worker as a service: runs the consumer loop on its own thread and, on
/// graceful shutdown (SIGTERM/SIGINT), lets it finish and acknowledge the batch in hand.
public struct WorkerService: Service {
    let configuration: WorkerConfiguration
    let metrics: WorkerMetrics
    let logger: Logger

    /// A worker with the given configuration, counting into `metrics`.
    public init(configuration: WorkerConfiguration, metrics: WorkerMetrics, logger: Logger) {
        self.configuration = configuration
        self.metrics = metrics
        self.logger = logger
    }

    public func run() async throws {
        let store = try MongoStore(url: configuration.mongoURL, appName: "sluice-worker", logger: logger)
        defer { store.close() }
        let userAgents = try CachedUserAgentParser(regexesPath: configuration.userAgentRegexesPath, capacity: configuration.userAgentCacheSize)
        let loop = try ConsumerLoop(configuration: configuration, store: store, userAgents: userAgents, metrics: metrics, logger: logger)
        await withGracefulShutdownHandler {
            await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                let thread = Thread {
                    loop.run()
                    done.resume()
                }
                thread.name = "sluice-consumer"
                thread.start()
            }
        } onGracefulShutdown: {
            logger.info("shutting down: finishing the batch in hand")
            loop.requestStop()
        }
    }
}
