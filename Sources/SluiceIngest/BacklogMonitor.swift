import Foundation
import Logging
import ServiceLifecycle
import SluiceCore
import SluiceRedis
import Synchronization

/// Watches the stream backlog once a second so ingest can refuse work (503) when
/// the workers fall too far behind, instead of letting Redis grow until it is out
/// of memory. `Retry-After` comes from the workers' published drain rate.
final class BacklogMonitor: Service, Sendable {
    /// What a request needs to know, refreshed by `run()`.
    struct Status: Sendable, Equatable {
        /// Entries waiting: not yet delivered plus delivered but unacknowledged.
        var backlog: Int64 = 0
        /// Entries per second all live workers finish together.
        var drainRate: Int64 = 0
        /// Whether new events are refused.
        var overLimit = false
    }

    /// Drain rates older than this are from workers that stopped publishing.
    static let staleAfterMilliseconds: Int64 = 30_000

    private let writer: RedisPipelineWriter
    private let partitions: Int
    private let limit: Int
    private let logger: Logger
    private let current = Mutex(Status())

    init(writer: RedisPipelineWriter, partitions: Int, limit: Int, logger: Logger) {
        self.writer = writer
        self.partitions = partitions
        self.limit = limit
        self.logger = logger
    }

    /// The latest status.
    var status: Status { current.withLock { $0 } }

    /// Seconds a refused client should wait: the time the workers need to drain the
    /// excess over 90% of the limit, between 1 and 60 s (60 when nothing drains).
    var retryAfterSeconds: Int {
        let status = self.status
        guard status.drainRate > 0 else { return status.backlog > 0 ? 60 : 1 }
        let excess = max(Double(status.backlog) - Double(limit) * 0.9, Double(status.drainRate))
        return min(60, max(1, Int((excess / Double(status.drainRate)).rounded(.up))))
    }

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await self.refresh()
                try await Task.sleep(for: .seconds(1))
            }
        }
    }

    /// Reads lag and pending of every partition and the drain rates, in one pipeline.
    func refresh() async {
        let streams = StreamLayout.streamKeys(partitions: partitions)
        var commands = streams.map { StreamGroupInfo.command(stream: $0) }
        commands += streams.map { RedisCommand("XLEN", $0) }
        commands.append(RedisCommand("HGETALL", StreamLayout.drainKey))
        guard let replies = try? await writer.execute(commands) else { return }  // Redis down: appends fail on their own
        var backlog: Int64 = 0
        for index in streams.indices {
            if let group = StreamGroupInfo.workers(in: replies[index]), let lag = group.lag {
                backlog += lag + group.pending
            } else {
                // No worker has created the group yet, or Redis cannot tell the lag: all entries count.
                backlog += replies[streams.count + index].integer ?? 0
            }
        }
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        var drainRate: Int64 = 0
        for (_, value) in replies[2 * streams.count].fieldMap {
            if let entry = value.text.flatMap(DrainRateEntry.init), now - entry.at < Self.staleAfterMilliseconds { drainRate += entry.perSecond }
        }
        let status = Status(backlog: backlog, drainRate: drainRate, overLimit: backlog >= Int64(limit))
        let previous = current.withLock { state in
            defer { state = status }
            return state
        }
        if status.overLimit != previous.overLimit {
            logger.warning(
                status.overLimit ? "backlog over its limit: refusing events with 503" : "backlog back under its limit: accepting events",
                metadata: ["sluice.backlog": "\(backlog)", "sluice.limit": "\(limit)", "sluice.drain_rate": "\(drainRate)"])
        }
    }
}
