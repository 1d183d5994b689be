/// The settings every process reads alike (ingest, worker, dashboard, sluicectl), each
/// with its one default, so the processes cannot disagree about where Redis and
/// MongoDB are or how many partitions the streams have.
extension Settings {
    /// `SLUICE_REDIS_URL` when unset.
    public static let defaultRedisURL = "redis://127.0.0.1:6379"
    /// `SLUICE_MONGO_URL` when unset (its path names the database).
    public static let defaultMongoURL = "mongodb://127.0.0.1:27017/sluice"
    /// `SLUICE_PARTITIONS` when unset.
    public static let defaultPartitions = 4
    /// The partitions a deployment may have.
    public static let partitionRange = 1...1024

    /// `SLUICE_REDIS_URL`.
    public var redisURL: String { string("SLUICE_REDIS_URL", default: Self.defaultRedisURL) }

    /// `SLUICE_MONGO_URL`.
    public var mongoURL: String { string("SLUICE_MONGO_URL", default: Self.defaultMongoURL) }

    /// `SLUICE_PARTITIONS`: the partition streams every process must agree on.
    public func partitions() throws(ConfigurationError) -> Int {
        try integer("SLUICE_PARTITIONS", default: Self.defaultPartitions, range: Self.partitionRange)
    }
}
