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
}

/// Counts the unique visitors of groups of buckets: a group of one bucket takes its
/// `visitors` as is; larger groups are counted by Redis from the buckets' HyperLogLogs,
/// all in one pipeline under one request's hash tag: the sketches go in batches (SET a
/// batch, PFMERGE it into one accumulator per group, DEL it), so Redis never holds more
/// than a batch of them and the accumulators at once, however long the range; then one
/// `PFCOUNT` per group and a DEL of the accumulators. A bucket stored without its sketch
/// bounds its group's count from below by its own `visitors`. Blocking.
public struct VisitorCounter {
    let redis: RedisConnection
    /// How long a scratch key lives if the request dies before its DEL.
    static let scratchLifetimeMilliseconds = "60000"
    /// Sketches (up to 12 KB each) in Redis at once, besides one accumulator per group.
    static let sketchesPerBatch = 64

    /// A counter sending its commands on `redis`.
    public init(redis: RedisConnection) {
        self.redis = redis
    }

    /// One count per group, in order.
    public func count(_ groups: [[RollupSnapshot]]) throws(ReportError) -> [VisitorCount] {
        var results: [VisitorCount?] = []
        var keyIndex: [RollupBucket: Int] = [:]
        var sketches: [[UInt8]] = []
        var unions: [(group: Int, keys: [Int], floor: Int64)] = []
        for (position, group) in groups.enumerated() {
            let counted = group.filter { $0.visitors > 0 }
            guard counted.count > 1 else {
                results.append(VisitorCount(value: counted.first?.visitors ?? 0, isEstimate: false))
                continue
            }
            // A bucket stored without its sketch can only bound the union from below.
            let sketched = counted.filter { $0.visitorsHLL != nil }
            let floor = counted.lazy.filter { $0.visitorsHLL == nil }.map(\.visitors).max() ?? 0
            guard !sketched.isEmpty else {
                results.append(VisitorCount(value: floor, isEstimate: true))
                continue
            }
            results.append(nil)
            var keys: [Int] = []
            for snapshot in sketched {
                let sketch = snapshot.visitorsHLL!
                if let known = keyIndex[snapshot.bucket] {
                    keys.append(known)
                } else {
                    keyIndex[snapshot.bucket] = sketches.count
                    keys.append(sketches.count)
                    sketches.append(sketch)
                }
            }
            unions.append((position, keys, floor))
        }
        guard !unions.isEmpty else { return results.map { $0! } }
        let token = String(UInt64.random(in: 0...UInt64.max), radix: 16)
        let names = sketches.indices.map { StreamLayout.reportScratchKey(token: token, index: $0) }
        let accumulators = unions.indices.map { StreamLayout.reportScratchKey(token: token, index: sketches.count + $0) }
        var commands: [RedisCommand] = []
        for batchStart in stride(from: 0, to: sketches.count, by: Self.sketchesPerBatch) {
            let batch = batchStart..<min(batchStart + Self.sketchesPerBatch, sketches.count)
            for index in batch {
                var set = RedisCommand("SET", names[index])
                set.append(bytes: sketches[index])
                set.append("PX")
                set.append(Self.scratchLifetimeMilliseconds)
                commands.append(set)
            }
            for (position, union) in unions.enumerated() {
                let keys = union.keys.filter { batch.contains($0) }
                guard !keys.isEmpty else { continue }
                commands.append(RedisCommand(arguments: ["PFMERGE", accumulators[position]] + keys.map { names[$0] }))
                commands.append(RedisCommand("PEXPIRE", accumulators[position], Self.scratchLifetimeMilliseconds))
            }
            commands.append(RedisCommand(arguments: ["DEL"] + batch.map { names[$0] }))
        }
        let firstCount = commands.count
        commands += accumulators.map { RedisCommand("PFCOUNT", $0) }
        commands.append(RedisCommand(arguments: ["DEL"] + accumulators))
        let replies: [RedisReply]
        do { replies = try redis.pipeline(commands) } catch { throw .redis(error) }
        if let message = replies.lazy.compactMap(\.errorMessage).first { throw .redis(.commandFailed(command: "PFMERGE", message: message)) }
        for (offset, union) in unions.enumerated() {
            guard let count = replies[firstCount + offset].integer else {
                throw .redis(.unexpectedReply(command: "PFCOUNT", reply: "\(replies[firstCount + offset])"))
            }
            results[union.group] = VisitorCount(value: max(count, union.floor), isEstimate: true)
        }
        return results.map { $0! }
    }
}
