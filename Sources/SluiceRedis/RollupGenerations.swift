import SluiceCore

/// Each site's roll-up generation: a number the writers of `rollups` documents raise once
/// they have written some of a site's buckets (the worker's flusher after each pass,
/// `sluicectl rollups rebuild` at its end). A reader may reuse what it read of a site's
/// *open* buckets for as long as the number stays the same (the dashboard's `RollupCache`):
/// nothing else writes them. One hash, `StreamLayout.rollupGenerationsKey`, a field per site.
public enum RollupGenerations {
    /// Raises the generation of each of `sites` (one pipeline).
    public static func raise(_ sites: Set<String>, redis: RedisConnection) throws(RedisError) {
        guard !sites.isEmpty else { return }
        let replies = try redis.pipeline(sites.sorted().map { RedisCommand("HINCRBY", StreamLayout.rollupGenerationsKey, $0, "1") })
        if let message = replies.lazy.compactMap(\.errorMessage).first { throw .commandFailed(command: "HINCRBY", message: message) }
    }

    /// The generation of `site` now: `"0"` if no writer has raised it yet.
    public static func current(site: String, redis: RedisConnection) throws(RedisError) -> String {
        let reply = try redis.run(RedisCommand("HGET", StreamLayout.rollupGenerationsKey, site))
        if let message = reply.errorMessage { throw .commandFailed(command: "HGET", message: message) }
        return reply.text ?? "0"
    }
}
