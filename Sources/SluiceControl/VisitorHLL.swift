import SluiceCore
import SluiceRedis

/// A bucket's HyperLogLog of human visitor ids, made the way the worker makes it: PFADD
/// into a scratch key, its bytes read back (the `visitorsHLL` of the `rollups` document,
/// so later merges stay possible), its count, and the key deleted.
struct VisitorHLL {
    /// Ids per PFADD.
    static let idsPerCommand = 1000

    let redis: RedisConnection
    /// Keeps this run's scratch keys apart from another's.
    let token: String

    /// The HLL's bytes and its estimate of the distinct visitors.
    func make(bucket: String, visitorIds: Set<String>) throws(RedisError) -> (bytes: [UInt8], count: Int64) {
        let key = StreamLayout.rebuildScratchKey(bucket: bucket, token: token)
        let ids = visitorIds.sorted()
        var commands = [RedisCommand("DEL", key), RedisCommand("PFADD", key)]
        for start in stride(from: 0, to: ids.count, by: Self.idsPerCommand) {
            commands.append(RedisCommand(arguments: ["PFADD", key] + ids[start..<min(start + Self.idsPerCommand, ids.count)]))
        }
        commands += [RedisCommand("GET", key), RedisCommand("PFCOUNT", key), RedisCommand("DEL", key)]
        let replies = try redis.pipeline(commands)
        for (command, reply) in zip(commands, replies) {
            if let message = reply.errorMessage { throw .commandFailed(command: command.name, message: message) }
        }
        guard case .string(let bytes) = replies[replies.count - 3], let count = replies[replies.count - 2].integer else {
            throw .commandFailed(command: "GET", message: "no HyperLogLog at \(key)")
        }
        return (bytes, count)
    }
}
