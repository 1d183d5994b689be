import Logging
import SluiceCore
import SluiceRedis

/// The worker's side of the consumer group: reads, acknowledges and dead-letters entries.
///
/// Blocking; owned by the consumer thread. A broken connection is replaced by a
/// fresh one on the next call, and the group is (re)created then, so a Redis
/// restart that lost the group heals itself.
final class StreamConsumer {
    let endpoint: RedisEndpoint
    let consumerName: String
    let streams: [String]
    let blockMilliseconds: Int
    private let logger: Logger
    private var connection: RedisConnection?

    init(endpoint: RedisEndpoint, consumerName: String, partitions: Int, blockMilliseconds: Int, logger: Logger) {
        self.endpoint = endpoint
        self.consumerName = consumerName
        self.streams = StreamLayout.streamKeys(partitions: partitions)
        self.blockMilliseconds = blockMilliseconds
        self.logger = logger
    }

    func connected() throws(RedisError) -> RedisConnection {
        if let connection, !connection.isBroken { return connection }
        connection = nil
        // The read timeout must outlast the BLOCK time, or every idle read would look like a dead server.
        let fresh = try RedisConnection(endpoint: endpoint, connectTimeout: 2, readTimeout: Double(blockMilliseconds) / 1000 + 5)
        try ensureGroups(on: fresh)
        connection = fresh
        return fresh
    }

    /// Creates the group on every partition if missing, starting at the stream's
    /// beginning so entries appended before the first worker ran are not skipped.
    private func ensureGroups(on connection: RedisConnection) throws(RedisError) {
        let replies = try connection.pipeline(streams.map { RedisCommand("XGROUP", "CREATE", $0, StreamLayout.group, "0", "MKSTREAM") })
        for reply in replies {
            if let message = reply.errorMessage, !message.hasPrefix("BUSYGROUP") {
                throw .commandFailed(command: "XGROUP CREATE", message: message)
            }
        }
    }

    /// Reads up to `count` entries: with `pending`, this consumer's unacknowledged
    /// ones (after a restart); otherwise new ones, blocking up to the block time.
    ///
    /// On a Redis Cluster one read cannot span the partitions' slots: each partition is
    /// read without blocking (its share of `count`, in one pipeline over the masters),
    /// and when all are empty one partition in turn is read blocking for at most
    /// `clusterIdleBlockMilliseconds`, so an idle worker looks at every partition
    /// that often. A partition whose master is down is skipped while the others are
    /// read; only when none answers does the read fail.
    func read(pending: Bool, count: Int) throws(RedisError) -> [StreamMessage] {
        let connection = try connected()
        guard connection.isCluster else {
            return try read(streams, pending: pending, count: count, block: pending ? nil : blockMilliseconds, on: connection)
        }
        let share = max(1, (count + streams.count - 1) / streams.count)
        let replies = try connection.pipeline(streams.map { readCommand([$0], pending: pending, count: share, block: nil) })
        var messages: [StreamMessage] = []
        var failure: RedisError?
        for reply in replies {
            do {
                messages += try parse(reply)
            } catch {
                if case .commandFailed(_, let message) = error, message.hasPrefix("NOGROUP") { throw error }
                failure = failure ?? error
            }
        }
        if let failure {
            guard !messages.isEmpty else { throw failure }
            logger.warning("a partition could not be read; reading the others", metadata: ["sluice.error": "\(failure)"])
        }
        guard messages.isEmpty, !pending else { return messages }
        idleTurn = (idleTurn + 1) % streams.count
        let block = min(blockMilliseconds, Self.clusterIdleBlockMilliseconds)
        return try read([streams[idleTurn]], pending: false, count: count, block: block, on: connection)
    }

    /// The longest blocking read on a cluster, where a blocking read watches one partition.
    static let clusterIdleBlockMilliseconds = 100
    /// The partition the next idle blocking read on a cluster watches.
    private var idleTurn = 0

    private func read(_ streams: [String], pending: Bool, count: Int, block: Int?, on connection: RedisConnection) throws(RedisError) -> [StreamMessage] {
        try parse(connection.send(readCommand(streams, pending: pending, count: count, block: block)))
    }

    private func readCommand(_ streams: [String], pending: Bool, count: Int, block: Int?) -> RedisCommand {
        var command = RedisCommand("XREADGROUP", "GROUP", StreamLayout.group, consumerName, "COUNT", String(count))
        if let block {
            command.append("BLOCK")
            command.append(String(block))
        }
        command.append("STREAMS")
        for stream in streams { command.append(stream) }
        for _ in streams { command.append(pending ? "0" : ">") }
        return command
    }

    private func parse(_ reply: RedisReply) throws(RedisError) -> [StreamMessage] {
        if let message = reply.errorMessage {
            if message.hasPrefix("NOGROUP") { connection = nil }  // group lost (Redis restarted empty): recreate on next call
            throw .commandFailed(command: "XREADGROUP", message: message)
        }
        return try Self.parseRead(reply)
    }

    /// Acknowledges entries, one XACK per stream, in one pipeline.
    func acknowledge(_ messages: [StreamMessage]) throws(RedisError) {
        let byStream = Dictionary(grouping: messages, by: \.stream)
        guard !byStream.isEmpty else { return }
        let commands = byStream.map { stream, entries in RedisCommand(arguments: ["XACK", stream, StreamLayout.group] + entries.map(\.id)) }
        for reply in try connected().pipeline(commands) {
            if let message = reply.errorMessage { throw .commandFailed(command: "XACK", message: message) }
        }
    }

    /// Appends entries to `events:dead` with their reason, origin and delivery count.
    func deadLetter(_ letters: [(message: StreamMessage, reason: String)], failedAt: Int64) throws(RedisError) {
        guard !letters.isEmpty else { return }
        let connection = try connected()
        let deliveries = try deliveryCounts(letters.map(\.message))
        var commands: [RedisCommand] = []
        for (letter, count) in zip(letters, deliveries) {
            var command = RedisCommand("XADD", StreamLayout.deadLetterStream, "*")
            for (field, value) in (letter.message.fields ?? [:]).sorted(by: { $0.key < $1.key }) {
                command.append(field)
                command.append(bytes: value)
            }
            let added = DeadLetterEntry(
                reason: letter.reason, stream: letter.message.stream, entryId: letter.message.id, deliveries: Int64(count), failedAt: failedAt)
            for (field, value) in added.fields {
                command.append(field)
                command.append(value)
            }
            commands.append(command)
        }
        for reply in try connection.pipeline(commands) {
            if let message = reply.errorMessage { throw .commandFailed(command: "XADD \(StreamLayout.deadLetterStream)", message: message) }
        }
    }

    /// The messages of an `XREADGROUP` reply, stream by stream.
    static func parseRead(_ reply: RedisReply) throws(RedisError) -> [StreamMessage] {
        try StreamEntryReply.streams(in: reply).flatMap { stream in stream.entries.map { StreamMessage(stream: stream.stream, entry: $0) } }
    }
}
