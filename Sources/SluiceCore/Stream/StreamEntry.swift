/// The Redis stream layout of DESIGN.md: partition keys, entry fields, partitioning.
public enum StreamLayout {
    /// The consumer group every worker joins.
    public static let group = "workers"
    /// The dead-letter stream.
    public static let deadLetterStream = "events:dead"
    /// The entry schema version written in field `v`.
    public static let schemaVersion = "1"
    /// Entry field holding the schema version.
    public static let versionField = "v"
    /// Entry field holding the canonical event JSON.
    public static let eventField = "e"

    /// The stream key of partition `p`; the hash tag (`PartitionTags`) lets each live on any Redis Cluster node.
    public static func streamKey(partition: Int) -> String { "events:{\(tag(partition: partition))}" }

    /// The partition of a stream key (`events:{3}` → 3); nil for any other key.
    public static func partition(ofStreamKey key: String) -> Int? {
        let prefix = "events:{"
        guard key.hasPrefix(prefix), key.hasSuffix("}") else { return nil }
        return partition(ofTag: key.dropFirst(prefix.count).dropLast())
    }

    /// Every partition's stream key.
    public static func streamKeys(partitions: Int) -> [String] { (0..<partitions).map(streamKey(partition:)) }

    /// The partition of a visitor, so one visitor's events keep their order: FNV-1a of
    /// its id, then MurmurHash3's 64-bit finaliser, because FNV's low bits depend only
    /// on the low bits of each byte and power-of-two partition counts would see that.
    public static func partition(visitorId: String, partitions: Int) -> Int {
        var hash = FNV1a.hash(visitorId.utf8)
        hash ^= hash >> 33
        hash = hash &* 0xff51_afd7_ed55_8ccd
        hash ^= hash >> 33
        hash = hash &* 0xc4ce_b9fe_1a85_ec53
        hash ^= hash >> 33
        return Int(hash % UInt64(max(partitions, 1)))
    }
}
