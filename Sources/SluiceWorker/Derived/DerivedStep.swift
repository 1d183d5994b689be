import FoundationEssentials
import SluiceCore
import SluiceMongo
import SluiceRedis
import SluiceRollups

/// Acknowledges a batch's entries and applies the derived changes of the events they
/// stored, in one `DerivedStepScript` call per partition, so the changes apply exactly
/// once. A batch's calls and its look-ups of stored state go out together: a batch of a
/// few events (a quiet site, or the benchmark's lag phase) costs few round trips.
final class DerivedStep {
    /// How long after its end a roll-up bucket still takes changes (ms).
    let rollupWindow: Int64
    /// The configured funnels' steps, matched against every human event.
    let funnels: FunnelMatcher
    /// How much earlier than now a change may count as made (ms): a quarter of the
    /// flush interval (see `changedAt`).
    let arrivalCredit: Int64
    /// The script's SHA-1 once loaded.
    private var scriptSHA: String?

    init(rollupWindowSeconds: Int, flushIntervalSeconds: Int, funnels: FunnelSettings = FunnelSettings()) {
        rollupWindow = Int64(rollupWindowSeconds) * 1000
        arrivalCredit = Int64(flushIntervalSeconds) * 1000 / 4
        self.funnels = FunnelMatcher(funnels)
    }

    /// When the changes of `messages` count as made, for the flusher (`dirty:{p}` scores):
    /// when the oldest of them arrived (its entry id's time), so a derived document is
    /// written within the flush interval of its events' arrival however long they waited
    /// in the stream; but no earlier than `arrivalCredit` before `now`, so a backlog's or a
    /// dead worker's old entries do not make every key they change due at once.
    func changedAt(_ messages: [StreamMessage], now: Int64) -> Int64 {
        guard let oldest = messages.lazy.compactMap({ StreamID($0.id)?.milliseconds }).min() else { return now }
        return min(now, max(now - arrivalCredit, Int64(clamping: oldest)))
    }

    /// What the step did: how many events were counted, and how many fell in closed buckets.
    struct Outcome {
        var counted = 0
        var lateForRollups = 0
    }

    /// One partition's share of a batch: its entries to acknowledge and the events among
    /// them stored for the first time, whose changes the step applies.
    struct Part {
        var messages: [StreamMessage]
        var counted: [EnrichedEvent]
        let stream: String
        let partition: Int
    }

    /// Acknowledges one partition's `messages` and applies what `counted` changes.
    func acknowledge(
        _ messages: [StreamMessage], counting counted: [EnrichedEvent], stream: String, partition: Int, redis: RedisConnection, store: MongoStore
    ) throws -> Outcome {
        try acknowledge([Part(messages: messages, counted: counted, stream: stream, partition: partition)], redis: redis, store: store)
    }

    /// Acknowledges every part and applies its changes: one script call per partition,
    /// all sent in one pipeline, after one look-up of stored state for the whole batch.
    /// Entries another worker acknowledged meanwhile are left out, with their changes,
    /// and their partition's call is made again.
    func acknowledge(_ parts: [Part], redis: RedisConnection, store: MongoStore) throws -> Outcome {
        var pending = parts.filter { !$0.messages.isEmpty }
        var seeds: DerivedSeeds?
        var outcome = Outcome()
        while !pending.isEmpty {
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            let changes = pending.map { part in
                var changes = DerivedChanges(partition: part.partition, rollupWindow: rollupWindow, now: now, funnels: funnels)
                for event in part.counted { changes.add(event) }
                return changes
            }
            if seeds == nil { seeds = try DerivedSeeds.load(for: changes, redis: redis, store: store) }
            let calls = zip(pending, changes).map { part, changes in
                let arguments = DerivedStepArguments(
                    changes: changes, seeds: seeds!, rollupWindow: rollupWindow, now: now, changedAt: changedAt(part.messages, now: now))
                return (
                    keys: [part.stream, StreamLayout.dirtyKey(partition: part.partition), StreamLayout.dirtySequenceKey(partition: part.partition)],
                    arguments: arguments.header(ids: part.messages.map(\.id)) + arguments.operations
                )
            }
            let replies = try run(calls, on: redis)
            var again: [Part] = []
            for ((part, changes), reply) in zip(zip(pending, changes), replies) {
                guard let parts = reply.elements, let status = parts.first?.text else {
                    throw RedisError.unexpectedReply(command: "EVALSHA derived step", reply: "\(reply)")
                }
                if status == "ok" {
                    outcome.counted += part.counted.count
                    outcome.lateForRollups += changes.lateForRollups
                    continue
                }
                guard status == "acked" else { throw RedisError.unexpectedReply(command: "EVALSHA derived step", reply: "\(reply)") }
                let gone = Set(parts.dropFirst().compactMap(\.text))
                var rest = part
                rest.messages.removeAll { gone.contains($0.id) }
                rest.counted.removeAll { gone.contains($0.decoded.message.id) }
                if !rest.messages.isEmpty { again.append(rest) }
            }
            pending = again
        }
        return outcome
    }

    /// Runs the calls in one pipeline; after a Redis restart the script is loaded again
    /// and the calls that found it missing (`NOSCRIPT`, so not run) are sent again.
    private func run(_ calls: [(keys: [String], arguments: [String])], on redis: RedisConnection) throws(RedisError) -> [RedisReply] {
        let sha = try loadedScript(on: redis)
        let commands = calls.map { RedisCommand(arguments: ["EVALSHA", sha, String($0.keys.count)] + $0.keys + $0.arguments) }
        var replies = try redis.pipeline(commands)
        let missing = replies.indices.filter { replies[$0].errorMessage?.hasPrefix("NOSCRIPT") == true }
        if !missing.isEmpty {
            scriptSHA = nil
            let reloaded = try loadedScript(on: redis)
            let resent = missing.map { RedisCommand(arguments: ["EVALSHA", reloaded, String(calls[$0].keys.count)] + calls[$0].keys + calls[$0].arguments) }
            for (index, reply) in zip(missing, try redis.pipeline(resent)) { replies[index] = reply }
        }
        if let message = replies.lazy.compactMap(\.errorMessage).first { throw .commandFailed(command: "EVALSHA derived step", message: message) }
        return replies
    }

    private func loadedScript(on redis: RedisConnection) throws(RedisError) -> String {
        if let known = scriptSHA { return known }
        guard let loaded = try redis.run(RedisCommand("SCRIPT", "LOAD", DerivedStepScript.source)).text else {
            throw .unexpectedReply(command: "SCRIPT LOAD", reply: "no digest")
        }
        scriptSHA = loaded
        return loaded
    }
}
