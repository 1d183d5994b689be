import SluiceCore
import SluiceRedis

/// Appends validated events to their partition streams through the group-commit writer.
public struct EventAppender: Sendable {
    /// Why events could not be appended; every case means "not accepted", answered 503.
    public enum Failure: Error, CustomStringConvertible {
        case redis(String)
        public var description: String {
            switch self {
            case .redis(let message): return message
            }
        }
    }

    let writer: RedisPipelineWriter
    let partitions: Int
    /// The partition keys, formatted once rather than per event.
    private let streamKeys: [String]

    /// An appender writing through `writer` into `partitions` streams.
    public init(writer: RedisPipelineWriter, partitions: Int) {
        self.writer = writer
        self.partitions = partitions
        streamKeys = StreamLayout.streamKeys(partitions: partitions)
    }

    /// Appends every event (one pipeline for all of them) and returns only once Redis
    /// has confirmed each append with an entry id.
    public func append(_ events: [ValidatedEvent]) async throws(Failure) {
        let commands = events.map { event in
            var command = RedisCommand("XADD", streamKeys[StreamLayout.partition(visitorId: event.visitorId, partitions: partitions)], "*")
            command.append(StreamLayout.versionField)
            command.append(StreamLayout.schemaVersion)
            command.append(StreamLayout.eventField)
            command.append(bytes: event.json)
            return command
        }
        let replies: [RedisReply]
        do {
            replies = try await writer.execute(commands)
        } catch {
            throw .redis("\(error)")
        }
        // An error reply (e.g. OOM under maxmemory) means that event is not stored:
        // the whole request is refused so the client retries it; ids make retries idempotent.
        if let message = replies.lazy.compactMap(\.errorMessage).first {
            throw .redis("Redis refused the append: \(message)")
        }
    }

    /// Round-trips a PING through the writer (readiness).
    public func ping() async -> Bool {
        guard let replies = try? await writer.execute([RedisCommand("PING")]) else { return false }
        return replies.first?.text == "PONG"
    }
}
