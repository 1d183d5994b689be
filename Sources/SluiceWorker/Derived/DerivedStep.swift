import FoundationEssentials
import SluiceCore
import SluiceMongo
import SluiceRedis
import SluiceRollups

/// Acknowledges a partition's entries and applies the derived changes of the events
/// they stored, in one `DerivedStepScript` call, so the changes apply exactly once.
final class DerivedStep {
    /// How long after its end a roll-up bucket still takes changes (ms).
    let rollupWindow: Int64
    /// The script's SHA-1 once loaded.
    private var scriptSHA: String?

    init(rollupWindowSeconds: Int) {
        rollupWindow = Int64(rollupWindowSeconds) * 1000
    }

    /// What the step did: how many events were counted, and how many fell in closed buckets.
    struct Outcome {
        var counted = 0
        var lateForRollups = 0
    }

    /// Acknowledges `messages` (all from `stream`, partition `partition`) and applies what
    /// `counted` (the events among them stored for the first time) changes. Entries another
    /// worker acknowledged meanwhile are left out, with their changes.
    func acknowledge(
        _ messages: [StreamMessage], counting counted: [EnrichedEvent], stream: String, partition: Int, redis: RedisConnection, store: MongoStore
    ) throws -> Outcome {
        var pending = messages
        var events = counted
        var seeds: DerivedSeeds?
        while !pending.isEmpty {
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            var changes = DerivedChanges(partition: partition, rollupWindow: rollupWindow, now: now)
            for event in events { changes.add(event) }
            if seeds == nil { seeds = try DerivedSeeds.load(for: changes, redis: redis, store: store) }
            let arguments = DerivedStepArguments(changes: changes, seeds: seeds!, rollupWindow: rollupWindow, now: now)
            let reply = try run(keys: [stream, StreamLayout.dirtyKey(partition: partition), StreamLayout.dirtySequenceKey(partition: partition)],
                arguments: arguments.header(ids: pending.map(\.id)) + arguments.operations, on: redis)
            guard let parts = reply.elements, let status = parts.first?.text else {
                throw RedisError.unexpectedReply(command: "EVALSHA derived step", reply: "\(reply)")
            }
            if status == "ok" { return Outcome(counted: events.count, lateForRollups: changes.lateForRollups) }
            guard status == "acked" else { throw RedisError.unexpectedReply(command: "EVALSHA derived step", reply: "\(reply)") }
            let gone = Set(parts.dropFirst().compactMap(\.text))
            pending.removeAll { gone.contains($0.id) }
            events.removeAll { gone.contains($0.decoded.message.id) }
        }
        return Outcome()
    }

    private func run(keys: [String], arguments: [String], on redis: RedisConnection) throws(RedisError) -> RedisReply {
        let sha: String
        if let known = scriptSHA {
            sha = known
        } else {
            guard let loaded = try redis.run(RedisCommand("SCRIPT", "LOAD", DerivedStepScript.source)).text else {
                throw .unexpectedReply(command: "SCRIPT LOAD", reply: "no digest")
            }
            scriptSHA = loaded
            sha = loaded
        }
        let reply = try redis.send(RedisCommand(arguments: ["EVALSHA", sha, String(keys.count)] + keys + arguments))
        if let message = reply.errorMessage {
            if message.hasPrefix("NOSCRIPT") {
                scriptSHA = nil
                return try run(keys: keys, arguments: arguments, on: redis)
            }
            throw .commandFailed(command: "EVALSHA derived step", message: message)
        }
        return reply
    }
}
