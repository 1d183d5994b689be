import SluiceCore
import SluiceRedis
import SluiceRollups

/// A unique-visitor count and whether it is a HyperLogLog estimate (it is whenever it
/// comes from more than one bucket with visitors; a lone bucket's count is exact).
public struct VisitorCount: Sendable, Equatable {
    public let value: Int64
    public let isEstimate: Bool

    /// A count, and whether it is an estimate.
    public init(value: Int64, isEstimate: Bool) {
        self.value = value
        self.isEstimate = isEstimate
    }

    /// No visitors, exactly (nothing counted, or bots only).
    public static let zero = VisitorCount(value: 0, isEstimate: false)
}

/// Counts the unique visitors of groups of buckets: a group of one bucket takes its
/// `visitors` as is; larger groups are counted by Redis from the buckets' HyperLogLogs,
/// all in one pipeline under one request's hash tag: the sketches go in batches (SET a
/// batch, PFMERGE it into one accumulator per group, DEL it), so Redis never holds more
/// than a batch of them and the accumulators at once, however long the range; then one
/// `PFCOUNT` per group and a DEL of the accumulators. A bucket stored without its sketch
/// bounds its group's count from below by its own `visitors`.
///
/// With a `RollupCache`, the union of a group's closed buckets (two or more) is merged
/// once, read back and kept: later counts send that one sketch instead of the buckets'
/// (a 30-day range sends the open days' sketches and the kept union of the days before), and a
/// group of closed buckets only (the previous period) asks Redis nothing. Each group's own
/// union is kept too, so views between two writes of the site's buckets (whose reads are
/// reused, `RollupCache`) ask Redis nothing either. A kept union counts only if made of the
/// very sketches in hand (a digest of them is kept with it). A union of
/// sketches is the registers' maximum, so the count is the one the buckets would give.
/// Blocking.
public struct VisitorCounter {
    let redis: RedisConnection
    let cache: RollupCache?
    /// How long a scratch key lives if the request dies before its DEL.
    static let scratchLifetimeMilliseconds = "60000"
    /// Sketches (up to 12 KB each) in Redis at once, besides one accumulator per group.
    static let sketchesPerBatch = 64

    /// A counter sending its commands on `redis`, keeping the unions it makes in `cache` when given.
    public init(redis: RedisConnection, cache: RollupCache? = nil) {
        self.redis = redis
        self.cache = cache
    }

    /// The sketches one count sends and the unions it makes of them, by index into `sketches`.
    private struct Plan {
        var sketches: [[UInt8]] = []
        var sketchOfBucket: [RollupBucket: Int] = [:]
        /// Unions of closed buckets, made for the cache (one per distinct bucket list).
        var closedUnions: [(buckets: [RollupBucket], inputs: Int, keys: [Int])] = []
        var closedUnionOfBuckets: [[RollupBucket]: Int] = [:]
        /// One per group counted by Redis: its sketches, the closed union it takes in, and
        /// its sketched buckets and their digest (to keep its own union under).
        var groupUnions: [(group: Int, keys: [Int], closedUnion: Int?, floor: Int64, buckets: [RollupBucket], inputs: Int)] = []

        mutating func sketch(of snapshot: RollupSnapshot) -> Int {
            if let known = sketchOfBucket[snapshot.bucket] { return known }
            sketchOfBucket[snapshot.bucket] = sketches.count
            sketches.append(snapshot.visitorsHLL!)
            return sketches.count - 1
        }

        mutating func add(_ sketch: [UInt8]) -> Int {
            sketches.append(sketch)
            return sketches.count - 1
        }

        mutating func closedUnion(of snapshots: [RollupSnapshot], inputs: Int) -> Int {
            let buckets = snapshots.map(\.bucket)
            if let known = closedUnionOfBuckets[buckets] { return known }
            closedUnionOfBuckets[buckets] = closedUnions.count
            closedUnions.append((buckets, inputs, snapshots.map { sketch(of: $0) }))
            return closedUnions.count - 1
        }
    }

    /// One count per group, in order.
    public func count(_ groups: [[RollupSnapshot]]) throws(ReportError) -> [VisitorCount] {
        try count(groups, now: cache?.now() ?? RollupCache.wallClock())
    }

    /// One count per group, in order; `now` (epoch ms) decides which buckets are closed.
    func count(_ groups: [[RollupSnapshot]], now: Int64) throws(ReportError) -> [VisitorCount] {
        var results: [VisitorCount?] = []
        var plan = Plan()
        for (position, group) in groups.enumerated() {
            let counted = group.filter { $0.visitors > 0 }
            guard counted.count > 1 else {
                results.append(VisitorCount(value: counted.first?.visitors ?? 0, isEstimate: false))
                continue
            }
            // A bucket stored without its sketch can only bound the union from below.
            var sketched = counted.filter { $0.visitorsHLL != nil }
            let floor = counted.lazy.filter { $0.visitorsHLL == nil }.map(\.visitors).max() ?? 0
            guard !sketched.isEmpty else {
                results.append(VisitorCount(value: floor, isEstimate: true))
                continue
            }
            var keys: [Int] = []
            var closedUnion: Int?
            let buckets = sketched.map(\.bucket)
            let inputs = cache == nil ? 0 : Self.digest(sketched)
            // The whole group's union, kept by an earlier count of these very sketches
            // (between two writes of the site's buckets, every view of the range).
            if let kept = cache?.union(of: buckets, now: now), kept.inputs == inputs {
                results.append(VisitorCount(value: max(kept.count, floor), isEstimate: true))
                continue
            }
            if let cache {
                let closed = sketched.filter { cache.isClosed($0.bucket, now: now) }
                if closed.count > 1 {
                    sketched.removeAll { cache.isClosed($0.bucket, now: now) }
                    // The kept union counts only if made of the very sketches in hand (reads
                    // are refreshed apart from it: a rebuild, a bucket read open before it closed).
                    let closedInputs = Self.digest(closed)
                    if let kept = cache.union(of: closed.map(\.bucket), now: now), kept.inputs == closedInputs {
                        if sketched.isEmpty {
                            results.append(VisitorCount(value: max(kept.count, floor), isEstimate: true))
                            continue
                        }
                        keys.append(plan.add(kept.sketch))
                    } else {
                        closedUnion = plan.closedUnion(of: closed, inputs: closedInputs)
                    }
                }
            }
            results.append(nil)
            keys += sketched.map { plan.sketch(of: $0) }
            plan.groupUnions.append((position, keys, closedUnion, floor, buckets, inputs))
        }
        guard !plan.groupUnions.isEmpty else { return results.map { $0! } }
        let counts = try run(plan, now: now)
        for (union, count) in zip(plan.groupUnions, counts) {
            results[union.group] = VisitorCount(value: max(count, union.floor), isEstimate: true)
        }
        return results.map { $0! }
    }

    /// A digest of the snapshots' sketches, telling a kept union made of them from one made
    /// of other reads of the same buckets.
    static func digest(_ snapshots: [RollupSnapshot]) -> Int {
        var hasher = Hasher()
        for snapshot in snapshots { hasher.combine(snapshot.visitorsHLL) }
        return hasher.finalize()
    }

    /// Sends `plan` in one pipeline, keeps the unions it makes, and answers each group union's count.
    private func run(_ plan: Plan, now: Int64) throws(ReportError) -> [Int64] {
        let token = String(UInt64.random(in: 0...UInt64.max), radix: 16)
        let names = plan.sketches.indices.map { StreamLayout.reportScratchKey(token: token, index: $0) }
        let closedNames = plan.closedUnions.indices.map { StreamLayout.reportScratchKey(token: token, index: names.count + $0) }
        let groupNames = plan.groupUnions.indices.map { StreamLayout.reportScratchKey(token: token, index: names.count + closedNames.count + $0) }
        var commands: [RedisCommand] = []
        func merge(into accumulator: String, _ sources: [String]) {
            commands.append(RedisCommand(arguments: ["PFMERGE", accumulator] + sources))
            commands.append(RedisCommand("PEXPIRE", accumulator, Self.scratchLifetimeMilliseconds))
        }
        for batchStart in stride(from: 0, to: plan.sketches.count, by: Self.sketchesPerBatch) {
            let batch = batchStart..<min(batchStart + Self.sketchesPerBatch, plan.sketches.count)
            for index in batch {
                var set = RedisCommand("SET", names[index])
                set.append(bytes: plan.sketches[index])
                set.append("PX")
                set.append(Self.scratchLifetimeMilliseconds)
                commands.append(set)
            }
            for (accumulator, keys) in Array(zip(closedNames, plan.closedUnions.map(\.keys))) + zip(groupNames, plan.groupUnions.map(\.keys)) {
                let inBatch = keys.filter { batch.contains($0) }
                if !inBatch.isEmpty { merge(into: accumulator, inBatch.map { names[$0] }) }
            }
            commands.append(RedisCommand(arguments: ["DEL"] + batch.map { names[$0] }))
        }
        for (accumulator, union) in zip(groupNames, plan.groupUnions) {
            if let closed = union.closedUnion { merge(into: accumulator, [closedNames[closed]]) }
        }
        let firstRead = commands.count
        commands += closedNames.flatMap { [RedisCommand("GET", $0), RedisCommand("PFCOUNT", $0)] }
        commands += groupNames.flatMap { [RedisCommand("PFCOUNT", $0)] + (cache == nil ? [] : [RedisCommand("GET", $0)]) }
        commands.append(RedisCommand(arguments: ["DEL"] + closedNames + groupNames))
        let replies: [RedisReply]
        do { replies = try redis.pipeline(commands) } catch { throw .redis(error) }
        if let message = replies.lazy.compactMap(\.errorMessage).first { throw .redis(.commandFailed(command: "PFMERGE", message: message)) }
        for (offset, union) in plan.closedUnions.enumerated() {
            let read = firstRead + 2 * offset
            // Kept only when read back whole; the groups' own counts do not depend on it.
            guard case .string(let sketch) = replies[read], let count = replies[read + 1].integer else { continue }
            cache?.keep(RollupCache.KeptUnion(sketch: sketch, count: count, inputs: union.inputs), of: union.buckets, now: now)
        }
        let firstCount = firstRead + 2 * closedNames.count
        let readsPerGroup = cache == nil ? 1 : 2
        return try plan.groupUnions.enumerated().map { (offset: Int, union) throws(ReportError) -> Int64 in
            let read = firstCount + readsPerGroup * offset
            guard let count = replies[read].integer else {
                throw .redis(.unexpectedReply(command: "PFCOUNT", reply: "\(replies[read])"))
            }
            if let cache, case .string(let sketch) = replies[read + 1] {
                cache.keep(RollupCache.KeptUnion(sketch: sketch, count: count, inputs: union.inputs), of: union.buckets, now: now)
            }
            return count
        }
    }
}
