import FoundationEssentials
import SluiceCore
import SluiceMongo
import SluiceRedis
import SluiceRollups

extension DerivedFlusher {
    /// Writes each bucket named in `names` whole: every partition's counts added up and
    /// their HyperLogLogs merged. Returns the names whose write failed and each
    /// partition key's version as read.
    func writeBuckets(_ names: [String], redis: RedisConnection) throws -> (failed: Set<String>, versions: [String: String]) {
        guard !names.isEmpty else { return ([], [:]) }
        var versions: [String: String] = [:]
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        var operations: [BulkOperation] = []
        var written: [String] = []
        for name in names {
            guard let bucket = RollupBucket(name: Substring(name)) else { continue }
            let replies = try redis.pipeline(
                (0..<partitions).flatMap { p in
                    [
                        RedisCommand("HGETALL", StreamLayout.rollupKey(bucket: name, partition: p)),
                        RedisCommand("GET", StreamLayout.rollupVisitorsKey(bucket: name, partition: p)),
                    ]
                })
            if let message = replies.lazy.compactMap(\.errorMessage).first { throw RedisError.commandFailed(command: "HGETALL", message: message) }
            var counts = RollupCounts()
            var sketches: [[UInt8]] = []
            for p in 0..<partitions {
                let fields = replies[2 * p].fieldMap
                versions[StreamLayout.rollupKey(bucket: name, partition: p)] = fields[DerivedStepScript.versionField]?.text
                for (field, value) in fields {
                    if let count = value.integer { counts.add(field: Substring(field), count: count) }
                }
                if case .string(let bytes) = replies[2 * p + 1] { sketches.append(bytes) }
            }
            let (visitors, merged) = try mergeVisitors(sketches, redis: redis)
            let update = BSONDocumentBuilder()
            update.appendDocument("$set", RollupDocument.fields(bucket: bucket, counts: counts, visitors: visitors, visitorsHLL: merged, now: now))
            operations.append(.upsert(filter: .filter(id: bucket.documentId), update: update))
            written.append(name)
        }
        let outcome = try store.bulkWrite(collection: RollupDocument.collection, operations: operations)
        metrics.derivedWrites(RollupDocument.collection, "update", operations.count)
        var failed = Set<String>()
        for failure in outcome.failures {
            failed.insert(written[failure.index])
            logger.error("roll-up write failed", metadata: ["sluice.bucket": "\(written[failure.index])", "sluice.error": "\(failure)"])
        }
        // Before the keys are cleaned: a failure here leaves them dirty, so a later pass raises it.
        try RollupGenerations.raise(Set(written.compactMap { RollupBucket(name: Substring($0))?.site }), redis: redis)
        return (failed, versions)
    }

    /// The merged HyperLogLog of the partitions' sketches and its count, merged in
    /// scratch keys sharing one hash tag (so also on a cluster).
    private func mergeVisitors(_ sketches: [[UInt8]], redis: RedisConnection) throws(RedisError) -> (Int64, [UInt8]?) {
        guard !sketches.isEmpty else { return (0, nil) }
        let target = StreamLayout.flushScratchKey(sketches.count)
        let sources = sketches.indices.map(StreamLayout.flushScratchKey)
        var commands: [RedisCommand] = sketches.enumerated().map { index, bytes in
            var set = RedisCommand("SET", sources[index])
            set.append(bytes: bytes)
            return set
        }
        commands.append(RedisCommand(arguments: ["PFMERGE", target] + sources))
        commands.append(RedisCommand("GET", target))
        commands.append(RedisCommand("PFCOUNT", target))
        commands.append(RedisCommand(arguments: ["DEL", target] + sources))
        let replies = try redis.pipeline(commands)
        if let message = replies.lazy.compactMap(\.errorMessage).first { throw .commandFailed(command: "PFMERGE", message: message) }
        guard case .string(let merged) = replies[sketches.count + 1], let count = replies[sketches.count + 2].integer else {
            throw .unexpectedReply(command: "PFCOUNT", reply: "\(replies)")
        }
        return (count, merged)
    }

    /// Marks the written keys clean unless they changed since they were read (their
    /// `~seq` moved on: then they are due again an interval from now), records that
    /// sessions and visitors are stored, and lets clean state expire: sessions and
    /// visitors `stateLifetimeSeconds` after, buckets (with their HyperLogLogs) an hour
    /// after they close. Keys whose write failed are due again an interval from now.
    func clean(_ due: [[String]], versions: [String: String], except failed: Set<String>, redis: RedisConnection) throws {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        var commands: [RedisCommand] = []
        for (partition, keys) in due.enumerated() where !keys.isEmpty {
            var arguments = [String(now)]
            for key in keys {
                let name = StreamLayout.DerivedKey.name(ofKey: key)
                let isRollup = StreamLayout.DerivedKey(ofKey: key) == .rollup
                // A bucket's HyperLogLog expires with it; a state hash gets `stored` instead.
                let companion = isRollup ? StreamLayout.rollupVisitorsKey(bucket: name, partition: partition) : ""
                if failed.contains(key) || (isRollup && failed.contains(name)) {
                    arguments += [key, "", "0", companion]
                    continue
                }
                var lifetime = Int64(stateLifetimeSeconds)
                if isRollup, let bucket = RollupBucket(name: Substring(name)) {
                    lifetime = max(60, (bucket.end + rollupWindow + 3_600_000 - now) / 1000)
                }
                arguments += [key, versions[key] ?? "", String(lifetime), companion]
            }
            commands.append(RedisCommand(arguments: ["EVAL", Self.cleanScript, "1", StreamLayout.dirtyKey(partition: partition)] + arguments))
        }
        guard !commands.isEmpty else { return }
        for reply in try redis.pipeline(commands) {
            if let message = reply.errorMessage { throw RedisError.commandFailed(command: "EVAL flush clean", message: message) }
        }
    }

    /// KEYS[1]: a partition's dirty set; ARGV: now, then (key, version read, lifetime,
    /// the bucket's HyperLogLog key or "" for a state hash) quadruples, lifetime 0 for a
    /// key whose write failed.
    static let cleanScript = """
        #!lua flags=allow-oom
        local now = ARGV[1]
        for i = 2, #ARGV, 4 do
          local key, version, lifetime, hll = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
          local current = redis.call('HGET', key, '\(DerivedStepScript.versionField)')
          if lifetime == '0' then
            redis.call('ZADD', KEYS[1], 'XX', now, key)
          elseif not current or current == version then
            redis.call('ZREM', KEYS[1], key)
            if current then
              if hll == '' then redis.call('HSET', key, 'stored', '1') end
              redis.call('EXPIRE', key, lifetime)
              if hll ~= '' then redis.call('EXPIRE', hll, lifetime) end
            end
          else
            if hll == '' then redis.call('HSET', key, 'stored', '1') end
            redis.call('ZADD', KEYS[1], 'XX', now, key)
          end
        end
        return 0
        """
}
