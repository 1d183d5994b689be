import SluiceCore
import SluiceRedis

/// Counts a subject's events still waiting in the partition streams: not yet delivered
/// to a worker, or delivered and not yet acknowledged. A worker will store them after
/// the erasure, so the operator is told to run it again once the backlog has drained.
///
/// They are counted, not deleted: a worker may hold the entry already (read, writing),
/// and an XDEL would not stop that write, while a second run after the drain catches
/// every case. Only the partitions of the subject's visitors are read (ingest puts all
/// of a visitor's events in one), from the oldest entry a worker still needs, so the
/// cost is the backlog, not the stream's history; at most `limit` entries per partition.
struct WaitingEntries {
    /// What the scan of one partition found for one subject.
    struct Finding: Equatable {
        let stream: String
        var count = 0
        /// True when the partition holds more than `limit` waiting entries: the count is a lower bound.
        var truncated = false
    }

    let redis: RedisConnection
    let partitions: Int
    var limit = 100_000
    var pageSize = 500

    /// The waiting entries of each subject, per partition that has any (or was cut short).
    func scan(_ subjects: [ErasureSubject]) throws(RedisError) -> [[Finding]] {
        var findings = Array(repeating: [Finding](), count: subjects.count)
        let streamsOfSubjects = subjects.map { Set($0.visitorIds.map(stream(of:))) }
        for stream in Set(streamsOfSubjects.flatMap { $0 }).sorted() {
            let (counts, truncated) = try scan(stream, subjects)
            for index in subjects.indices where counts[index] > 0 || (truncated && streamsOfSubjects[index].contains(stream)) {
                findings[index].append(Finding(stream: stream, count: counts[index], truncated: truncated))
            }
        }
        return findings
    }

    /// The partition stream ingest appends a visitor's events to.
    private func stream(of visitorId: String) -> String {
        StreamLayout.streamKey(partition: StreamLayout.partition(visitorId: visitorId, partitions: partitions))
    }

    private func scan(_ stream: String, _ subjects: [ErasureSubject]) throws(RedisError) -> (counts: [Int], truncated: Bool) {
        var counts = Array(repeating: 0, count: subjects.count)
        let groups = try redis.send(StreamGroupInfo.command(stream: stream))
        // No stream: nothing waits. No group: no worker has read anything, so everything waits.
        if groups.errorMessage != nil { return (counts, false) }
        let lastDelivered = StreamGroupInfo.workers(in: groups)?.lastDeliveredID
        let lastDeliveredText = lastDelivered?.description
        var start = "-"
        if let lastDeliveredText {
            // Entries up to last-delivered-id were delivered; of those, only the pending ones still wait.
            let summary = try PendingSummary.decode(redis.send(PendingSummary.command(stream: stream)))
            start = summary.oldest?.description ?? "(" + lastDeliveredText
        }
        var delivered: [(id: String, owner: Int)] = []
        var examined = 0
        while examined < limit {
            let count = min(pageSize, limit - examined)
            let reply = try redis.run(RedisCommand("XRANGE", stream, start, "+", "COUNT", String(count)))
            // An XRANGE entry has the shape of a dead letter: an id and its fields.
            let page = try StreamEntryReply.entries(in: reply).map(DeadLetter.init(entry:))
            for entry in page {
                guard case .success(let value)? = entry.event, let event = value.objectValue,
                    let owner = subjects.firstIndex(where: { $0.owns(event) })
                else { continue }
                if let lastDelivered, let id = StreamID(entry.id), !(id > lastDelivered) {
                    delivered.append((entry.id, owner))
                } else {
                    counts[owner] += 1
                }
            }
            examined += page.count
            guard page.count == count, let last = page.last else { return (try countPending(delivered, in: stream, into: counts), false) }
            start = "(" + last.id
        }
        return (try countPending(delivered, in: stream, into: counts), true)
    }

    /// Adds the delivered entries that are still pending (not acknowledged) to `counts`.
    private func countPending(_ delivered: [(id: String, owner: Int)], in stream: String, into counts: [Int]) throws(RedisError) -> [Int] {
        var counts = counts
        let replies = try redis.pipeline(delivered.map { PendingEntry.command(stream: stream, id: $0.id) })
        for (entry, reply) in zip(delivered, replies) where try !PendingEntry.entries(in: reply).isEmpty {
            counts[entry.owner] += 1
        }
        return counts
    }
}
