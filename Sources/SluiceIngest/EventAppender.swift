import SluiceCore
import SluiceRedis
import SluiceValidation
import Synchronization

/// Appends validated events to their partition streams through the group-commit writer.
///
/// Without rate limits a request is a run of XADDs in the writer's next pipeline.
/// With limits it is one script call (`limitedAppendScript`) that checks and takes
/// the request's token buckets and, only if they allow it, appends its events:
/// one round trip, and a refused request leaves nothing behind.
///
/// On a Redis Cluster a script cannot span the slots of several partitions: the same
/// script takes the buckets alone (their keys share the `{rl}` slot), then the events
/// go as XADDs, each to its partition's master. A request refused by its buckets still
/// leaves nothing behind; one whose XADDs partly fail is answered 503 and its retry is
/// deduplicated by event id.
public final class EventAppender: Sendable {
    /// What became of a request's events.
    enum Outcome: Equatable {
        /// Every event is in its stream.
        case appended
        /// A bucket was short: nothing was appended; retry after this many milliseconds.
        case rateLimited(waitMilliseconds: Int64)
    }

    /// KEYS: the request's bucket keys, then its stream keys. ARGV: the number of
    /// bucket keys, now (ms), cost, rate and burst per bucket, the schema version,
    /// then per event its stream (1-based among the stream keys) and its JSON.
    /// Returns the wait in milliseconds, 0 once everything is appended.
    static let limitedAppendScript = """
        local buckets = tonumber(ARGV[1])
        local now, cost = tonumber(ARGV[2]), tonumber(ARGV[3])
        local wait, tokens = 0, {}
        for i = 1, buckets do
          local rate, burst = tonumber(ARGV[2 + 2 * i]), tonumber(ARGV[3 + 2 * i])
          local state = redis.call('HMGET', KEYS[i], 't', 'ts')
          local t = tonumber(state[1]) or burst
          local ts = tonumber(state[2]) or now
          t = math.min(burst, t + math.max(0, now - ts) * rate / 1000)
          local need = math.min(cost, burst)
          if t < need then wait = math.max(wait, math.ceil((need - t) * 1000 / rate)) end
          tokens[i] = t
        end
        if wait > 0 then return wait end
        for i = 1, buckets do
          local rate, burst = tonumber(ARGV[2 + 2 * i]), tonumber(ARGV[3 + 2 * i])
          redis.call('HSET', KEYS[i], 't', tokens[i] - math.min(cost, burst), 'ts', now)
          redis.call('PEXPIRE', KEYS[i], math.ceil(burst * 1000 / rate) + 1000)
        end
        local first = 4 + 2 * buckets
        for a = first + 1, #ARGV, 2 do
          redis.call('XADD', KEYS[buckets + tonumber(ARGV[a])], '*', '\(StreamLayout.versionField)', ARGV[first], '\(StreamLayout.eventField)', ARGV[a + 1])
        end
        return 0
        """

    let writer: RedisPipelineWriter
    let partitions: Int
    /// The partition keys, formatted once rather than per event.
    private let streamKeys: [String]
    /// The script's digest once `SCRIPT LOAD` has answered.
    private let scriptDigest = Mutex<String?>(nil)

    /// An appender writing through `writer` into `partitions` streams.
    public init(writer: RedisPipelineWriter, partitions: Int) {
        self.writer = writer
        self.partitions = partitions
        streamKeys = StreamLayout.streamKeys(partitions: partitions)
    }

    /// Appends every event, drawing from `charge`'s buckets first when given, and
    /// returns only once Redis has answered for all of them.
    ///
    /// Any error means the events are not accepted: the writer's own (`.queueFull`,
    /// a lost connection, `.replicaAcksMissing` when Redis has the events but fewer
    /// replicas than `SLUICE_REPLICA_ACKS` confirmed them in time), or Redis refusing
    /// the append (`.commandFailed`, `.unexpectedReply`).
    func append(_ events: [ValidatedEvent], charging charge: RateCharge?) async throws(RedisError) -> Outcome {
        guard let charge else {
            try await appendUnlimited(events)
            return .appended
        }
        guard writer.isCluster else { return try await limitedAppend(events, charging: charge) }
        let outcome = try await limitedAppend([], charging: charge)
        if outcome == .appended { try await appendUnlimited(events) }
        return outcome
    }

    /// Runs `limitedAppendScript` for `events` (none: only the buckets).
    private func limitedAppend(_ events: [ValidatedEvent], charging charge: RateCharge) async throws(RedisError) -> Outcome {
        for attempt in 0..<2 {
            let digest = try await loadedScriptDigest(reload: attempt > 0)
            let reply = try await writer.execute([limitedAppend(events, charge: charge, digest: digest)], replicated: !events.isEmpty)[0]
            if reply.errorMessage?.hasPrefix("NOSCRIPT") == true { continue }  // Redis restarted: load it again
            if let message = reply.errorMessage { throw .commandFailed(command: "EVALSHA (append script)", message: message) }
            guard let wait = reply.integer else { throw .unexpectedReply(command: "EVALSHA (append script)", reply: "\(reply)") }
            return wait > 0 ? .rateLimited(waitMilliseconds: wait) : .appended
        }
        throw .commandFailed(command: "EVALSHA (append script)", message: "NOSCRIPT twice: Redis keeps forgetting the script")
    }

    /// One XADD per event in the writer's next pipeline.
    private func appendUnlimited(_ events: [ValidatedEvent]) async throws(RedisError) {
        let commands = events.map { event in
            var command = RedisCommand("XADD", streamKeys[partition(of: event)], "*")
            command.append(StreamLayout.versionField)
            command.append(StreamLayout.schemaVersion)
            command.append(StreamLayout.eventField)
            command.append(bytes: event.json)
            return command
        }
        // An error reply (e.g. OOM under maxmemory) means that event is not stored:
        // the whole request is refused so the client retries it; ids make retries idempotent.
        if let message = try await writer.execute(commands, replicated: true).lazy.compactMap(\.errorMessage).first {
            throw .commandFailed(command: "XADD", message: message)
        }
    }

    /// The EVALSHA of `limitedAppendScript` for `events`.
    private func limitedAppend(_ events: [ValidatedEvent], charge: RateCharge, digest: String) -> RedisCommand {
        // Each partition's 1-based place among the request's stream keys (0: not used yet).
        var streamPositions = [Int](repeating: 0, count: partitions)
        var streams: [String] = []
        let positions = events.map { event in
            let partition = partition(of: event)
            if streamPositions[partition] == 0 {
                streams.append(streamKeys[partition])
                streamPositions[partition] = streams.count
            }
            return streamPositions[partition]
        }
        var command = RedisCommand(arguments: ["EVALSHA", digest, String(charge.keys.count + streams.count)] + charge.keys + streams)
        command.append(String(charge.keys.count))
        for argument in charge.arguments { command.append(argument) }
        command.append(StreamLayout.schemaVersion)
        for (event, position) in zip(events, positions) {
            command.append(String(position))
            command.append(bytes: event.json)
        }
        return command
    }

    private func partition(of event: ValidatedEvent) -> Int {
        StreamLayout.partition(visitorId: event.visitorId, partitions: partitions)
    }

    private func loadedScriptDigest(reload: Bool) async throws(RedisError) -> String {
        if !reload, let known = scriptDigest.withLock({ $0 }) { return known }
        let reply = try await writer.execute([RedisCommand("SCRIPT", "LOAD", Self.limitedAppendScript)])[0]
        guard let digest = reply.text else { throw .unexpectedReply(command: "SCRIPT LOAD (append script)", reply: "\(reply)") }
        scriptDigest.withLock { $0 = digest }
        return digest
    }

    /// Round-trips a PING through the writer (readiness).
    public func ping() async -> Bool {
        guard let replies = try? await writer.execute([RedisCommand("PING")]) else { return false }
        return replies.first?.text == "PONG"
    }
}
