import Foundation
import Logging
import ServiceLifecycle
import SluiceMongo
import Synchronization

/// Whether MongoDB answers, for the worker's `/readyz`: a `ping` every second on a
/// thread of its own, so a hung server never blocks a request or the shutdown.
///
/// Ready means the last ping succeeded and no ping has been waiting for longer than
/// `answerLimit`: a frozen server (connections open, nothing answered) turns the
/// worker unready within that limit instead of after libmongoc's socket timeout.
final class StoreReadiness: Service, Sendable {
    /// What the last pings said.
    private struct State {
        var lastResult: Result<Void, MongoError>?
        var pingStartedAt: ContinuousClock.Instant?
    }

    /// How often the store is pinged.
    static let interval: Duration = .seconds(1)
    /// How long a ping may go unanswered before the store counts as unreachable.
    static let answerLimit: Duration = .seconds(3)

    private let mongoURL: String
    private let metrics: WorkerMetrics
    private let logger: Logger
    private let state = Mutex(State())

    /// A probe of the store at `mongoURL`, reporting into `metrics`.
    init(mongoURL: String, metrics: WorkerMetrics, logger: Logger) {
        self.mongoURL = mongoURL
        self.metrics = metrics
        self.logger = logger
    }

    /// Nil when MongoDB answered the last ping in time; otherwise why not, for the answer's body.
    func problem(now: ContinuousClock.Instant = .now) -> String? {
        state.withLock { state in
            if let started = state.pingStartedAt, now - started > Self.answerLimit {
                return "MongoDB has not answered a ping for \(started.duration(to: now).components.seconds) s"
            }
            switch state.lastResult {
            case nil: return "MongoDB not pinged yet"
            case .failure(let error): return "MongoDB ping failed: \(error)"
            case .success: return nil
            }
        }
    }

    func run() async throws {
        let store = try MongoStore(url: mongoURL, appName: "sluice-worker-readiness", logger: logger)
        defer { store.close() }
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let idle = state.withLock { state in
                guard state.pingStartedAt == nil else { return false }
                state.pingStartedAt = .now
                return true
            }
            // A ping still waiting on a frozen server is not joined by a second one.
            if idle { startPing(on: store) }
            metrics.storeReady.set(Double(problem() == nil ? 1 : 0))
            try? await Task.sleep(for: Self.interval)
        }
    }

    /// Pings on a detached thread and records the outcome when it comes.
    private func startPing(on store: MongoStore) {
        let thread = Thread { [self] in
            let result: Result<Void, MongoError>
            do throws(MongoError) {
                try store.ping()
                result = .success(())
            } catch {
                result = .failure(error)
            }
            let wasReady = state.withLock { state in
                let wasReady = (try? state.lastResult?.get()) != nil
                state.lastResult = result
                state.pingStartedAt = nil
                return wasReady
            }
            if case .failure(let error) = result, wasReady {
                logger.warning("MongoDB unreachable: /readyz answers 503", metadata: ["sluice.error": "\(error)"])
            }
        }
        thread.name = "sluice-store-ping"
        thread.start()
    }
}
