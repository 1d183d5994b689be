import FoundationEssentials
import ServiceLifecycle
import SluiceCore
import SluiceRedis
import Synchronization

/// The secret of cookieless mode (and of first visits' retry-stable ids): a
/// random key per UTC day, shared by every ingest replica through Redis (`SET
/// sluice:salt:<day> … NX`, kept two days) and never stored anywhere else.
/// Visitor ids made with it are stable within a day and cannot be linked across
/// days, as in Plausible.
final class DailySalt: Service, Sendable {
    private let writer: RedisPipelineWriter
    private let current = Mutex<(day: Int64, k0: UInt64, k1: UInt64)?>(nil)

    init(writer: RedisPipelineWriter) {
        self.writer = writer
    }

    /// Today's key, fetching it from Redis when the day changed; nil if Redis cannot be reached.
    func key(now: Int64) async -> (UInt64, UInt64)? {
        let day = now / 86_400_000
        if let cached = current.withLock({ $0 }), cached.day == day { return (cached.k0, cached.k1) }
        let redisKey = StreamLayout.saltKey(day: day)
        let candidate = (0..<4).map { _ in String(UInt32.random(in: .min ... .max), radix: 16) }.joined(separator: "-")
        guard let replies = try? await writer.execute([RedisCommand("SET", redisKey, candidate, "NX", "EX", "172800"), RedisCommand("GET", redisKey)]),
            let salt = replies.last?.text
        else { return nil }
        let parts = salt.split(separator: "-").compactMap { UInt64($0, radix: 16) }
        guard parts.count == 4 else { return nil }
        let k0 = parts[0] << 32 | parts[1]
        let k1 = parts[2] << 32 | parts[3]
        current.withLock { $0 = (day, k0, k1) }
        return (k0, k1)
    }

    /// The cookieless visitor id of a site, anonymised address and user agent.
    func visitorId(site: String?, ip: String?, userAgent: String?, now: Int64) async -> String? {
        guard let (k0, k1) = await key(now: now) else { return nil }
        let material = Array("\(site ?? "")|\(ip ?? "")|\(userAgent ?? "")".utf8)
        let hash = SipHash.hash(material, k0: k0, k1: k1)
        let hex = String(hash, radix: 16)
        return "cl-" + String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// Fetches the key ahead of midnight traffic; checks every minute.
    func run() async throws {
        // Cancelled on graceful shutdown, so the minute-long sleep does not delay the exit.
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                _ = await self.key(now: Int64(Date().timeIntervalSince1970 * 1000))
                try await Task.sleep(for: .seconds(60))
            }
        }
    }
}
