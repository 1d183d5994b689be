import FoundationEssentials
import SluiceCore
import SluiceRedis

/// Which session an event belongs to, decided in Redis so every worker agrees.
package struct SessionAssignment: Equatable {
    /// The session's id.
    let sessionId: String
    /// Whether this event opened the session (so the store cannot have it yet).
    let isNew: Bool

    /// Session `sessionId`, opened by this event when `isNew`.
    package init(sessionId: String, isNew: Bool) {
        self.sessionId = sessionId
        self.isNew = isNew
    }
}

/// Gets or creates each visitor's current session with one Lua script per event,
/// pipelined for a whole batch (DESIGN.md, "Sessions").
///
/// `sess:{p}:<visitorId>` is a hash `{id, last}` with a sliding TTL (twice the
/// session timeout plus a minute; the gap is judged on event times). An event
/// continues the session when it is less than the timeout after the session's
/// last activity (earlier events join it too: they cannot reopen a past session);
/// otherwise it starts a new one. The script runs atomically, so concurrent
/// workers agree. It runs even when Redis is at `maxmemory` (`allow-oom`), so a
/// full Redis never stops the worker that would empty it. Closing the replaced session is the acknowledgement step's
/// (`DerivedStepScript`), which applies it exactly once.
final class SessionStitcher {
    static let script = """
        #!lua flags=allow-oom
        local t = tonumber(ARGV[2])
        local timeout = tonumber(ARGV[3])
        local current = redis.call('HMGET', KEYS[1], '\(StreamLayout.sessionIdField)', '\(StreamLayout.sessionLastField)')
        local id, last = current[1], tonumber(current[2])
        if id and last and t - last < timeout * 1000 then
          if t > last then redis.call('HSET', KEYS[1], '\(StreamLayout.sessionLastField)', ARGV[2]) end
          redis.call('EXPIRE', KEYS[1], ARGV[4])
          return {id, 0}
        end
        redis.call('HSET', KEYS[1], '\(StreamLayout.sessionIdField)', ARGV[1], '\(StreamLayout.sessionLastField)', ARGV[2])
        redis.call('EXPIRE', KEYS[1], ARGV[4])
        return {ARGV[1], 1}
        """
    let timeoutSeconds: Int
    /// The stream partition count, which places each visitor's key under its partition's hash tag.
    let partitions: Int
    /// How long the key outlives the session's last activity: twice the timeout plus
    /// a minute, so a late event still finds its session (the derived session and
    /// visitor state lives as long after its last flush).
    var keyLifetimeSeconds: Int { timeoutSeconds * 2 + 60 }
    /// The script's SHA-1 as Redis reported it from `SCRIPT LOAD`.
    private var scriptSHA: String?

    init(timeoutSeconds: Int, partitions: Int) {
        self.timeoutSeconds = timeoutSeconds
        self.partitions = partitions
    }

    private func load(on connection: RedisConnection) throws(RedisError) -> String {
        guard let sha = try connection.run(RedisCommand("SCRIPT", "LOAD", Self.script)).text else {
            throw .unexpectedReply(command: "SCRIPT LOAD", reply: "no digest")
        }
        scriptSHA = sha
        return sha
    }

    /// The session key of a visitor.
    func key(visitorId: String) -> String { StreamLayout.sessionKey(visitorId: visitorId, partitions: partitions) }

    /// Assigns a session to each (visitor, event time), in order. After a Redis
    /// restart the script is gone (`NOSCRIPT`): it is loaded again and only the
    /// calls that failed are resent.
    func assign(_ requests: [(visitorId: String, timestamp: Int64)], on connection: RedisConnection) throws(RedisError) -> [SessionAssignment] {
        guard !requests.isEmpty else { return [] }
        let sha: String
        if let known = scriptSHA { sha = known } else { sha = try load(on: connection) }
        let commands = requests.map { request in
            RedisCommand(
                "EVALSHA", sha, "1", key(visitorId: request.visitorId), RandomID.uuidString(),
                String(request.timestamp), String(timeoutSeconds), String(keyLifetimeSeconds))
        }
        var replies = try connection.pipeline(commands)
        let missing = replies.indices.filter { replies[$0].errorMessage?.hasPrefix("NOSCRIPT") == true }
        if !missing.isEmpty {
            _ = try load(on: connection)
            // Resent in their original order, so one visitor's events still apply in sequence.
            for (index, reply) in zip(missing, try connection.pipeline(missing.map { commands[$0] })) { replies[index] = reply }
        }
        var assignments: [SessionAssignment] = []
        assignments.reserveCapacity(replies.count)
        for reply in replies {
            guard let parts = reply.elements, parts.count >= 2, let id = parts[0].text, let flag = parts[1].integer else {
                throw .unexpectedReply(command: "EVALSHA session", reply: "\(reply)")
            }
            assignments.append(SessionAssignment(sessionId: id, isNew: flag == 1))
        }
        return assignments
    }
}
