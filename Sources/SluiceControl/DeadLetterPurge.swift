import SluiceRedis

/// Deletes dead letters for good.
struct DeadLetterPurge {
    /// The letters a purge will delete, worked out before anything changes.
    struct Plan {
        /// Matching letters, oldest first; only ids, so a large queue is not held in memory.
        var ids: [String] = []
        /// Named ids that do not exist.
        var missing: [String] = []
    }

    let queue: DeadLetterQueue
    /// Most ids per XDEL; fewer on small runs, so progress moves.
    var chunkSize = 500

    /// Selects the letters to delete.
    func plan(_ scope: DeadLetterScope, reason: String?) throws -> Plan {
        var plan = Plan()
        plan.missing = try queue.forEachPage(scope, reason: reason) { page in plan.ids += page.map(\.id) }
        return plan
    }

    /// Deletes the planned letters, one XDEL per chunk, and returns how many Redis deleted;
    /// `progress` gets the number processed so far.
    func run(_ plan: Plan, progress: (Int) -> Void = { _ in }) throws(RedisError) -> Int {
        var deleted = 0
        var done = 0
        let size = ProgressReporter.chunkSize(total: plan.ids.count, limit: chunkSize)
        for start in stride(from: 0, to: plan.ids.count, by: size) {
            let chunk = plan.ids[start..<min(start + size, plan.ids.count)]
            let reply = try queue.redis.run(RedisCommand(arguments: ["XDEL", DeadLetterQueue.key] + chunk))
            deleted += Int(reply.integer ?? 0)
            done += chunk.count
            progress(done)
        }
        return deleted
    }
}
