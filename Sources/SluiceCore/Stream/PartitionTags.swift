import Synchronization

extension StreamLayout {
    /// How partition numbers become the hash tags in every per-partition key
    /// (`events:{<tag>}`, `sess:{<tag>}:…`, the derived keys): one scheme per deployment,
    /// chosen from `SLUICE_REDIS_URL` by every process alike (`usePartitionTags`).
    public enum PartitionTags: Sendable, Equatable {
        /// `{0}`, `{1}`, …: a single Redis server (DESIGN.md's keys).
        case numbered
        /// On a Redis Cluster, partition `p` of `partitions` gets the tag `p.k` with the
        /// smallest `k` whose hash slot lies in the `p`-th of `partitions` equal slot
        /// ranges, so the partitions sit evenly along the slot space and a cluster whose
        /// masters hold equal slot ranges (as `redis-cli --cluster create` makes them)
        /// gets an even share of partitions on each master. (`{0}`…`{3}` fall on
        /// masters 3, 2, 2, 1 of three; `{0}`…`{2}` leave the first master idle.)
        case spread(partitions: Int)

        /// The tag of every partition.
        func tags() -> [String]? {
            guard case .spread(let partitions) = self else { return nil }
            return (0..<partitions).map { partition in
                let range = partition * HashSlot.count / partitions..<(partition + 1) * HashSlot.count / partitions
                var attempt = 0
                while true {
                    let tag = "\(partition).\(attempt)"
                    if range.contains(HashSlot.of(tag)) { return tag }
                    attempt += 1
                }
            }
        }
    }

    /// The spread tags in use, nil for numbered ones.
    private static let spreadTags = Mutex<[String]?>(nil)
    /// Whether `spreadTags` is set: one atomic load keeps a single server's key
    /// formatting (the worker's hot path) free of the lock.
    static let tagsAreSpread = Atomic<Bool>(false)

    /// Makes every key this process formats use `tags`; called once at start-up, before
    /// any key is formatted (a process that never calls it uses numbered tags).
    public static func usePartitionTags(_ tags: PartitionTags) {
        let table = tags.tags()
        spreadTags.withLock { $0 = table }
        tagsAreSpread.store(table != nil, ordering: .releasing)
    }

    /// The hash tag of `partition` (without braces).
    public static func tag(partition: Int) -> String {
        guard tagsAreSpread.load(ordering: .acquiring) else { return String(partition) }
        return spreadTags.withLock { table in
            guard let table, table.indices.contains(partition) else { return String(partition) }
            return table[partition]
        }
    }

    /// The key under which a cluster records the layout its keys were made with
    /// (`spreadLayout`), so a process with another partition count refuses to start
    /// instead of reading and writing streams nobody else uses.
    public static let layoutKey = "sluice:layout"

    /// This process's layout on a cluster (`<P> partitions, spread tags`); nil with numbered tags,
    /// whose keys do not depend on the partition count.
    public static var spreadLayout: String? {
        spreadTags.withLock { table in table.map { "\($0.count) partitions, spread tags" } }
    }

    /// The partition whose tag is `tag`; nil when no partition has it.
    static func partition(ofTag tag: Substring) -> Int? {
        spreadTags.withLock { table in
            if let table { return table.firstIndex { $0 == tag } }
            // The round trip rejects signs and leading zeros.
            guard let partition = Int(tag), partition >= 0, String(partition) == tag else { return nil }
            return partition
        }
    }
}
