import Foundation
import SluiceCore
import SluiceRedis

extension StreamConsumer {
    /// Takes over entries that have been pending on any consumer (a dead or stuck
    /// worker) for at least `minIdleMilliseconds` (XAUTOCLAIM), up to `count`.
    func claim(minIdleMilliseconds: Int, count: Int) throws(RedisError) -> [StreamMessage] {
        var claimed: [StreamMessage] = []
        for stream in streams where claimed.count < count {
            var cursor = StreamID.zero
            repeat {
                let reply = try connected().run(
                    RedisCommand(
                        "XAUTOCLAIM", stream, StreamLayout.group, consumerName, String(minIdleMilliseconds), cursor.description, "COUNT",
                        String(count - claimed.count)))
                // Entries deleted while pending come back as ids only (Redis 7), and Redis drops them from the pending list itself.
                let claim = try StreamEntryReply.claimed(in: reply)
                claimed += claim.entries.map { StreamMessage(stream: stream, entry: $0) }
                cursor = claim.next
            } while cursor != .zero && claimed.count < count
        }
        return claimed
    }

    /// How many times each entry has been delivered (XPENDING), in order; 1 if unknown.
    func deliveryCounts(_ messages: [StreamMessage]) throws(RedisError) -> [Int] {
        guard !messages.isEmpty else { return [] }
        let replies = try connected().pipeline(messages.map { PendingEntry.command(stream: $0.stream, id: $0.id) })
        return replies.map { reply in
            guard let entry = (try? PendingEntry.entries(in: reply))?.first else { return 1 }
            return Int(entry.deliveries)
        }
    }

    /// Removes acknowledged entries: for each stream, everything below the lowest id
    /// that some group still needs (its oldest pending entry, or the first entry it
    /// has not been delivered yet). Returns the number of entries removed.
    func trimAcknowledged() throws(RedisError) -> Int {
        let connection = try connected()
        let groupInfos = try connection.pipeline(streams.map { StreamGroupInfo.command(stream: $0) })
        var thresholds: [(String, String)] = []
        for (stream, info) in zip(streams, groupInfos) {
            let groups = StreamGroupInfo.groups(in: info)
            guard !groups.isEmpty else { continue }  // no reader yet: keep all
            var lowest: StreamID?
            for group in groups {
                guard let delivered = group.lastDeliveredID else {
                    lowest = .zero
                    break
                }
                var needed = delivered.successor
                if group.pending > 0 {
                    let summary = try PendingSummary.decode(connection.send(PendingSummary.command(stream: stream, group: group.name)))
                    if let oldest = summary.oldest { needed = min(needed, oldest) }
                }
                lowest = min(lowest ?? needed, needed)
            }
            if let lowest, lowest > .zero { thresholds.append((stream, lowest.description)) }
        }
        guard !thresholds.isEmpty else { return 0 }
        // "~" lets Redis drop only whole internal nodes: cheaper, and never past the threshold.
        let replies = try connection.pipeline(thresholds.map { RedisCommand("XTRIM", $0.0, "MINID", "~", $0.1) })
        return replies.reduce(0) { $0 + Int($1.integer ?? 0) }
    }
}

extension StreamConsumer {
    /// Entries not yet delivered (lag) and delivered but unacknowledged (pending), all partitions.
    func backlog() throws(RedisError) -> (lag: Int64, pending: Int64) {
        let connection = try connected()
        let infos = try connection.pipeline(streams.map { StreamGroupInfo.command(stream: $0) })
        var lag: Int64 = 0
        var pending: Int64 = 0
        for info in infos {
            guard let group = StreamGroupInfo.workers(in: info) else { continue }
            lag += group.lag ?? 0
            pending += group.pending
        }
        return (lag, pending)
    }

    /// Forgets consumers idle longer than `idleMilliseconds` that hold no pending entries.
    func removeDepartedConsumers(idleMilliseconds: Int) throws(RedisError) {
        let connection = try connected()
        let infos = try connection.pipeline(streams.map { StreamConsumerInfo.command(stream: $0) })
        var removals: [RedisCommand] = []
        for (stream, info) in zip(streams, infos) {
            for consumer in StreamConsumerInfo.consumers(in: info)
            where consumer.name != consumerName && consumer.pending == 0 && consumer.idleMilliseconds > idleMilliseconds {
                removals.append(RedisCommand("XGROUP", "DELCONSUMER", stream, StreamLayout.group, consumer.name))
            }
        }
        if !removals.isEmpty { _ = try connection.pipeline(removals) }
    }

    /// Publishes this worker's drain rate for ingest's `Retry-After` (`HSET sluice:drain <name> <rate>:<ms>`).
    func publishDrainRate(_ perSecond: Double) throws(RedisError) {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        _ = try connected().run(RedisCommand("HSET", DrainRate.key, consumerName, DrainRateEntry(perSecond: Int64(perSecond.rounded()), at: now).value))
    }
}
