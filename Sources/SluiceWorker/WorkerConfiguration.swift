import Foundation
import SluiceCore

/// Everything `sluice-worker` can be told, built from `SLUICE_*` variables and flags.
public struct WorkerConfiguration: Sendable {
    /// `SLUICE_REDIS_URL`: where the streams live.
    public var redisURL: String
    /// `SLUICE_MONGO_URL`: where documents are stored; the path names the database.
    public var mongoURL: String
    /// `SLUICE_PARTITIONS`: number of `events:{p}` streams (default 4); must match ingest's.
    public var partitions: Int
    /// `SLUICE_BATCH_SIZE`: most entries read and written per batch (default 500).
    public var batchSize: Int
    /// `SLUICE_CONSUMER_NAME`: this worker's name in the consumer group (default: the host name).
    /// A restarted worker with the same name re-reads the entries it had not acknowledged.
    public var consumerName: String
    /// `SLUICE_BLOCK_MS`: how long one read waits for new entries (default 2000 ms).
    public var blockMilliseconds: Int

    /// Reads the configuration; unset settings take their documented defaults.
    public init(settings: Settings) throws(ConfigurationError) {
        redisURL = settings.string("SLUICE_REDIS_URL", default: "redis://127.0.0.1:6379")
        mongoURL = settings.string("SLUICE_MONGO_URL", default: "mongodb://127.0.0.1:27017/sluice")
        partitions = try settings.integer("SLUICE_PARTITIONS", default: 4, range: 1...1024)
        batchSize = try settings.integer("SLUICE_BATCH_SIZE", default: 500, range: 1...10_000)
        consumerName = settings.string("SLUICE_CONSUMER_NAME", default: ProcessInfo.processInfo.hostName)
        blockMilliseconds = try settings.integer("SLUICE_BLOCK_MS", default: 2000, range: 10...60_000)
    }

    /// The effective configuration as printed at start-up, secrets masked.
    public var summary: [(String, String)] {
        [
            ("SLUICE_REDIS_URL", maskedURL(redisURL)),
            ("SLUICE_MONGO_URL", maskedURL(mongoURL)),
            ("SLUICE_PARTITIONS", String(partitions)),
            ("SLUICE_BATCH_SIZE", String(batchSize)),
            ("SLUICE_CONSUMER_NAME", consumerName),
            ("SLUICE_BLOCK_MS", String(blockMilliseconds)),
        ]
    }
}
