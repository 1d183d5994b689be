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

    /// The stream key of partition `p`; the hash tag lets each live on any Redis Cluster node.
    public static func streamKey(partition: Int) -> String { "events:{\(partition)}" }

    /// Every partition's stream key.
    public static func streamKeys(partitions: Int) -> [String] { (0..<partitions).map(streamKey(partition:)) }

    /// The partition of a visitor: FNV-1a of its id, so one visitor's events keep their order.
    public static func partition(visitorId: String, partitions: Int) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in visitorId.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return Int(hash % UInt64(max(partitions, 1)))
    }
}
