import Logging
import ServiceLifecycle

/// Queues events in memory and sends them to ingest in batches: at `flushAt`
/// events or every `flushInterval`, retrying a 429, 5xx or network failure with
/// backoff (honouring `Retry-After`) and the same event ids, and dropping the
/// oldest event, counted, when `maxQueue` are waiting. A `Service`: add it to
/// the application's services so it flushes on its interval and once more at
/// graceful shutdown.
public actor SluiceSender: Service {
    /// What the sender did so far.
    public struct Stats: Sendable, Equatable {
        /// Events ingest accepted.
        public var sent = 0
        /// Events dropped because the queue was full.
        public var dropped = 0
        /// Events given up: refused (4xx) or still failing after every retry.
        public var failed = 0
        /// Batches sent again after a failure.
        public var retries = 0

        /// Counters with the given values (all zero by default).
        public init(sent: Int = 0, dropped: Int = 0, failed: Int = 0, retries: Int = 0) {
            self.sent = sent
            self.dropped = dropped
            self.failed = failed
            self.retries = retries
        }
    }

    private let configuration: SluiceClientConfiguration
    private let poster: BatchPoster
    private let logger: Logger
    /// The events waiting, oldest first.
    private(set) var queue: [TrackedEvent] = []
    /// The drain under way, if any: one at a time, so batches leave in order.
    private var draining: Task<Void, Never>?
    /// The counters.
    public private(set) var stats = Stats()

    /// A sender for `configuration`; `logger` hears of batches given up.
    public init(configuration: SluiceClientConfiguration, logger: Logger = Logger(label: "sluice-client")) {
        self.configuration = configuration
        self.poster = BatchPoster(configuration: configuration)
        self.logger = logger
    }

    /// Events waiting to be sent.
    public var queued: Int { queue.count }

    /// Queues events; starts a flush when `flushAt` are waiting. Returns at once.
    public func enqueue(_ events: [TrackedEvent]) {
        for event in events {
            if queue.count >= configuration.maxQueue {
                queue.removeFirst()
                stats.dropped += 1
            }
            queue.append(event)
        }
        if queue.count >= configuration.flushAt && draining == nil {
            draining = Task { await self.drain() }
        }
    }

    /// Sends everything queued, batch by batch; returns once the queue is empty.
    public func flush() async {
        while !queue.isEmpty || draining != nil {
            if let draining {
                await draining.value
            } else {
                let task = Task { await self.drain() }
                draining = task
                await task.value
            }
        }
    }

    /// Delivers batches until the queue is empty. Started only while the actor is
    /// held right after `draining` is set, so it always ends by clearing it.
    private func drain() async {
        while !queue.isEmpty {
            let batch = Array(queue.prefix(configuration.flushAt))
            queue.removeFirst(batch.count)
            await deliver(batch)
        }
        draining = nil
    }

    /// Flushes every `flushInterval` until graceful shutdown, then once more.
    public func run() async throws {
        let interval = configuration.flushInterval
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                await self.flush()
            }
        }
        await flush()
    }

    /// One batch, with retries.
    private func deliver(_ batch: [TrackedEvent]) async {
        for attempt in 0... {
            let answer = await poster.post(batch)
            if (200..<300).contains(answer.status) {
                stats.sent += batch.count
                return
            }
            let retriable = answer.status == 0 || answer.status == 429 || answer.status >= 500
            guard retriable, attempt < configuration.maxRetries else {
                stats.failed += batch.count
                logger.warning(
                    "events given up",
                    metadata: ["sluice.batch.size": "\(batch.count)", "sluice.status": "\(answer.status)", "sluice.answer": "\(answer.text)"])
                return
            }
            stats.retries += 1
            try? await Task.sleep(for: Self.retryDelay(attempt: attempt, retryAfterSeconds: answer.retryAfterSeconds))
        }
    }

    /// `Retry-After` when ingest gave one (at most 300 s), else exponential backoff
    /// from 0.5 s with jitter, at most 30 s.
    static func retryDelay(attempt: Int, retryAfterSeconds: Int?) -> Duration {
        if let retryAfterSeconds { return .seconds(min(max(retryAfterSeconds, 0), 300)) }
        let base = min(30_000, 500 << min(attempt, 16))
        return .milliseconds(base / 2 + Int.random(in: 0...(base / 2)))
    }
}
