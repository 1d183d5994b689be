import FoundationEssentials
import SluiceCore

/// Each site's roll-up generation: a token the writers of `rollups` documents replace once
/// they have written some of a site's buckets (the worker's flusher after each pass,
/// `sluicectl rollups rebuild` when it stops). A reader may reuse what it read of a site's
/// *open* buckets for as long as the token is the one it read them at (the dashboard's
/// `RollupCache`): nothing else writes them. A token is the time and a random part, never
/// a count, so one lost to a Redis restart or failover is not written again later. One
/// hash, `StreamLayout.rollupGenerationsKey`, a field per site.
public enum RollupGenerations {
    /// Gives each of `sites` a new generation (one pipeline).
    public static func raise(_ sites: Set<String>, redis: RedisConnection) throws(RedisError) {
        guard !sites.isEmpty else { return }
        let token = "\(Int64(Date().timeIntervalSince1970 * 1000))-\(RandomID.uuidString().prefix(8))"
        let replies = try redis.pipeline(sites.sorted().map { RedisCommand("HSET", StreamLayout.rollupGenerationsKey, $0, token) })
        if let message = replies.lazy.compactMap(\.errorMessage).first { throw .commandFailed(command: "HSET", message: message) }
    }

    /// The generation of `site` now; nil when no writer has given it one (workers older
    /// than the generations, or a Redis that lost the hash), and then nothing is reused.
    public static func current(site: String, redis: RedisConnection) throws(RedisError) -> String? {
        let reply = try redis.run(RedisCommand("HGET", StreamLayout.rollupGenerationsKey, site))
        if let message = reply.errorMessage { throw .commandFailed(command: "HGET", message: message) }
        return reply.text
    }
}
