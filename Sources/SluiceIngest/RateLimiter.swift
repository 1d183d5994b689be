import SluiceCore
import SluiceRedis
import Synchronization

/// A token bucket: `rate` tokens per second, at most `burst` saved up.
public struct RateLimit: Sendable, Equatable {
    public var rate: Double
    public var burst: Int

    /// Parses `rate/burst` (e.g. `100/1000`); nil for `off`.
    public static func parse(_ text: String, variable: String) throws(ConfigurationError) -> RateLimit? {
        if text.lowercased() == "off" { return nil }
        let parts = text.split(separator: "/")
        guard parts.count == 2, let rate = Double(parts[0]), rate > 0, let burst = Int(parts[1]), burst >= 1 else {
            throw ConfigurationError(variable: variable, value: text, expected: "events per second and burst as rate/burst (e.g. 100/1000), or off")
        }
        return RateLimit(rate: rate, burst: burst)
    }
}

/// Token buckets per site and per visitor (or client address), kept in Redis so
/// every ingest replica shares them: one Lua call per request, sent through the
/// group-commit writer. A flood from one visitor empties only its own bucket.
final class RateLimiter: Sendable {
    static let script = """
        local now, cost = tonumber(ARGV[1]), tonumber(ARGV[2])
        local wait, tokens = 0, {}
        for i, key in ipairs(KEYS) do
          local rate, burst = tonumber(ARGV[1 + 2 * i]), tonumber(ARGV[2 + 2 * i])
          local state = redis.call('HMGET', key, 't', 'ts')
          local t = tonumber(state[1]) or burst
          local ts = tonumber(state[2]) or now
          t = math.min(burst, t + math.max(0, now - ts) * rate / 1000)
          local need = math.min(cost, burst)
          if t < need then wait = math.max(wait, math.ceil((need - t) * 1000 / rate)) end
          tokens[i] = t
        end
        if wait > 0 then return wait end
        for i, key in ipairs(KEYS) do
          local rate, burst = tonumber(ARGV[1 + 2 * i]), tonumber(ARGV[2 + 2 * i])
          redis.call('HSET', key, 't', tokens[i] - math.min(cost, burst), 'ts', now)
          redis.call('PEXPIRE', key, math.ceil(burst * 1000 / rate) + 1000)
        end
        return 0
        """

    let writer: RedisPipelineWriter
    let perSite: RateLimit?
    let perVisitor: RateLimit?
    private let sha = Mutex<String?>(nil)

    init(writer: RedisPipelineWriter, perSite: RateLimit?, perVisitor: RateLimit?) {
        self.writer = writer
        self.perSite = perSite
        self.perVisitor = perVisitor
    }

    /// Milliseconds to wait before `cost` events are allowed, 0 when allowed now (and taken).
    /// Fails open (allows) when Redis cannot answer: the append will then fail on its own.
    func take(cost: Int, site: String?, visitor: String, now: Int64) async -> Int64 {
        var keys: [String] = []
        var limits: [RateLimit] = []
        if let perSite, let site {
            keys.append("rl:site:\(site)")
            limits.append(perSite)
        }
        if let perVisitor {
            keys.append("rl:visitor:\(visitor)")
            limits.append(perVisitor)
        }
        guard !keys.isEmpty else { return 0 }
        var arguments = [String(now), String(cost)]
        for limit in limits { arguments += [String(limit.rate), String(limit.burst)] }
        for attempt in 0..<2 {
            let known = sha.withLock { $0 }
            let command: RedisCommand
            if let known, attempt == 0 {
                command = RedisCommand(arguments: ["EVALSHA", known, String(keys.count)] + keys + arguments)
            } else {
                command = RedisCommand(arguments: ["EVAL", Self.script, String(keys.count)] + keys + arguments)
            }
            guard let reply = try? await writer.execute([command]).first else { return 0 }
            if reply.errorMessage?.hasPrefix("NOSCRIPT") == true { continue }
            if sha.withLock({ $0 }) == nil, let loaded = try? await writer.execute([RedisCommand("SCRIPT", "LOAD", Self.script)]).first?.text {
                sha.withLock { $0 = loaded }
            }
            return reply.integer ?? 0
        }
        return 0
    }
}
