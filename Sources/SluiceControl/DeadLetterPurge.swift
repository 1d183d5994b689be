import SluiceRedis

/// Deletes dead letters for good, from `events:dead` and from MongoDB's `deadletters`.
struct DeadLetterPurge {
    /// The letters a purge will delete, worked out before anything changes.
    struct Plan {
        /// Matching letters in `events:dead`, oldest first; only ids, so a large queue is not held in memory.
        var ids: [String] = []
        /// Matching letters in `deadletters`.
        var archivedIds: [String] = []
        /// Named ids that exist in neither place.
        var missing: [String] = []

        /// The letters to delete, in both places.
        var count: Int { ids.count + archivedIds.count }
    }

    let queue: DeadLetterQueue
    /// The moved letters; nil to act on `events:dead` alone.
    var archive: DeadLetterArchive?
    /// Most ids per XDEL; fewer on small runs, so progress moves.
    var chunkSize = 500

    /// Selects the letters to delete.
    func plan(_ scope: DeadLetterScope, reason: String?) throws -> Plan {
        var plan = Plan()
        plan.missing = try queue.forEachPage(scope, reason: reason) { page in plan.ids += page.map(\.id) }
        if let archive {
            let notArchived = Set(try archive.forEachPage(scope, reason: reason) { page in plan.archivedIds += page.map(\.id) })
            plan.missing = plan.missing.filter(notArchived.contains)
        }
        return plan
    }

    /// Deletes the planned letters, one XDEL (or MongoDB delete) per chunk, and returns how
    /// many were deleted; `progress` gets the number processed so far.
    func run(_ plan: Plan, progress: (Int) -> Void = { _ in }) throws -> Int {
        var deleted = 0
        var done = 0
        let size = ProgressReporter.chunkSize(total: plan.count, limit: chunkSize)
        for start in stride(from: 0, to: plan.ids.count, by: size) {
            let chunk = plan.ids[start..<min(start + size, plan.ids.count)]
            let reply = try queue.redis.run(RedisCommand(arguments: ["XDEL", DeadLetterQueue.key] + chunk))
            deleted += Int(reply.integer ?? 0)
            done += chunk.count
            progress(done)
        }
        guard let archive else { return deleted }
        for start in stride(from: 0, to: plan.archivedIds.count, by: size) {
            let chunk = Array(plan.archivedIds[start..<min(start + size, plan.archivedIds.count)])
            deleted += try archive.delete(chunk)
            done += chunk.count
            progress(done)
        }
        return deleted
    }
}
