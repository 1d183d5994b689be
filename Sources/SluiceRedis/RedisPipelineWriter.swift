import Foundation
import Logging

/// Group commit for Redis: callers hand over their commands and await the
/// replies; one thread owns the connection and sends whatever has queued up
/// as a single pipeline, then resumes each caller with its own replies.
///
/// Under load one pipeline carries many requests' commands; at low load a
/// request costs one round trip. The queue is bounded: past `maxQueuedCommands`
/// callers are refused at once instead of buffering without limit.
///
/// With a `ReplicaAcknowledgement`, a pipeline that carries any `replicated`
/// commands ends with one `WAIT`: one wait covers every request in the flush.
public final class RedisPipelineWriter: @unchecked Sendable {
    /// A caller's replies, or why it has none.
    private typealias Replies = Result<[RedisReply], RedisError>

    private struct Pending {
        let commands: [RedisCommand]
        /// Whether the caller's writes count only once replicas confirm them.
        let replicated: Bool
        let continuation: CheckedContinuation<Replies, Never>
    }

    private let endpoint: RedisEndpoint
    private let logger: Logger
    private let maxQueuedCommands: Int
    private let readTimeout: Double
    private let replicaAcknowledgement: ReplicaAcknowledgement?
    /// Guards `queue`, `queuedCommands`, `stopped`, `thread`, `threadEnded` and `shutdownWaiters`.
    private let condition = NSCondition()
    private var queue: [Pending] = []
    private var queuedCommands = 0
    private var stopped = false
    private var thread: Thread?
    private var threadEnded = false
    /// Callers of `shutdown()` waiting for the writer thread to write what is queued and end.
    private var shutdownWaiters: [CheckedContinuation<Void, Never>] = []

    // Owned by the writer thread only.
    private var connection: RedisConnection?
    private var lastConnectFailure: ContinuousClock.Instant?

    /// A writer for `endpoint`; call `start()` before use. With `replicaAcknowledgement`,
    /// replicated commands wait for replicas (the read timeout is stretched past `WAIT`'s).
    public init(
        endpoint: RedisEndpoint, logger: Logger, maxQueuedCommands: Int = 100_000, readTimeout: Double = 2,
        replicaAcknowledgement: ReplicaAcknowledgement? = nil
    ) {
        self.endpoint = endpoint
        self.logger = logger
        self.maxQueuedCommands = maxQueuedCommands
        self.replicaAcknowledgement = replicaAcknowledgement
        self.readTimeout = readTimeout + Double(replicaAcknowledgement?.timeoutMilliseconds ?? 0) / 1000
    }

    /// True when the writer talks to a Redis Cluster (its commands may land on different nodes).
    public var isCluster: Bool { endpoint.isCluster }

    /// Starts the writer thread.
    public func start() {
        condition.lock()
        defer { condition.unlock() }
        guard thread == nil else { return }
        let thread = Thread { [self] in self.runLoop() }
        thread.name = "sluice-redis-writer"
        thread.start()
        self.thread = thread
    }

    /// Refuses new commands, then returns once the thread has written everything
    /// queued, closed the connection and ended. Never started, it has no thread to write
    /// with: what was queued fails with `.shutDown` instead of waiting for ever.
    ///
    /// Suspends rather than blocks: the thread resumes the caller when it ends, so
    /// no cooperative thread waits out the last pipeline.
    public func shutdown() async {
        await withCheckedContinuation { (ended: CheckedContinuation<Void, Never>) in
            condition.lock()
            stopped = true
            guard thread != nil && !threadEnded else {
                // Never started, nothing will write the queue: it fails.
                var unwritten: [Pending] = []
                if thread == nil {
                    swap(&unwritten, &queue)
                    queuedCommands = 0
                }
                condition.unlock()
                for pending in unwritten { pending.continuation.resume(returning: .failure(.shutDown)) }
                ended.resume()
                return
            }
            shutdownWaiters.append(ended)
            condition.signal()
            condition.unlock()
        }
    }

    /// Sends `commands` in the next pipeline and returns their replies in order.
    ///
    /// Throws if Redis cannot be reached or the connection broke before every reply
    /// arrived (the commands may or may not have been applied), `.queueFull` when the
    /// queue cannot take them, `.shutDown` once `shutdown()` has begun.
    /// With `replicated` and a `ReplicaAcknowledgement`, also `.replicaAcksMissing` when
    /// too few replicas confirmed the pipeline in time (the master has the writes).
    public func execute(_ commands: [RedisCommand], replicated: Bool = false) async throws(RedisError) -> [RedisReply] {
        guard !commands.isEmpty else { return [] }
        return try await withCheckedContinuation { (continuation: CheckedContinuation<Replies, Never>) in
            condition.lock()
            if stopped {
                condition.unlock()
                continuation.resume(returning: .failure(.shutDown))
                return
            }
            if queuedCommands + commands.count > maxQueuedCommands {
                condition.unlock()
                continuation.resume(returning: .failure(.queueFull(limit: maxQueuedCommands)))
                return
            }
            queue.append(Pending(commands: commands, replicated: replicated, continuation: continuation))
            queuedCommands += commands.count
            condition.signal()
            condition.unlock()
        }.get()
    }

    private func runLoop() {
        while true {
            condition.lock()
            while queue.isEmpty && !stopped { condition.wait() }
            if queue.isEmpty && stopped {
                condition.unlock()
                break
            }
            let work = queue
            queue = []
            queuedCommands = 0
            condition.unlock()
            flush(work)
        }
        connection = nil
        condition.lock()
        threadEnded = true
        let waiters = shutdownWaiters
        shutdownWaiters = []
        condition.unlock()
        for waiter in waiters { waiter.resume() }
    }

    private func flush(_ work: [Pending]) {
        // One WAIT after the whole pipeline: it covers every write before it on this connection.
        let wait = work.contains(where: \.replicated) ? replicaAcknowledgement : nil
        let result = Result { () throws(RedisError) -> [RedisReply] in
            let connection = try connected()
            return try connection.pipeline(work.flatMap(\.commands) + (wait.map { [$0.command] } ?? []))
        }
        switch result {
        case .success(let replies):
            let shortfall = wait.flatMap { $0.shortfall(in: replies[replies.count - 1]) }
            if let shortfall {
                logger.warning("too few replicas confirmed a pipeline: its writes are refused", metadata: ["sluice.error": "\(shortfall)"])
            }
            var offset = 0
            for pending in work {
                if pending.replicated, let shortfall {
                    pending.continuation.resume(returning: .failure(shortfall))
                } else {
                    pending.continuation.resume(returning: .success(Array(replies[offset..<offset + pending.commands.count])))
                }
                offset += pending.commands.count
            }
        case .failure(let error):
            if case .connectionLost = error {
                logger.warning("redis connection lost, reconnecting on next request", metadata: ["sluice.error": "\(error)"])
                connection = nil
            }
            for pending in work { pending.continuation.resume(returning: .failure(error)) }
        }
    }

    /// The live connection, making one if needed; after a failed attempt, callers
    /// fail fast for a moment rather than each waiting on a connect timeout.
    private func connected() throws(RedisError) -> RedisConnection {
        if let connection, !connection.isBroken { return connection }
        connection = nil
        if let lastConnectFailure, ContinuousClock.now - lastConnectFailure < .milliseconds(250) {
            throw .connectFailed(endpoint: endpoint.description, message: "reconnect backoff after a failed attempt")
        }
        do {
            let fresh = try RedisConnection(endpoint: endpoint, connectTimeout: 1, readTimeout: readTimeout)
            connection = fresh
            lastConnectFailure = nil
            logger.info("connected to redis", metadata: ["sluice.redis": "\(endpoint)"])
            return fresh
        } catch {
            lastConnectFailure = .now
            throw error
        }
    }
}
