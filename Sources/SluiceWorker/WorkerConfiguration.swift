import Foundation
import SluiceCore
import SluiceMongo
import SluiceRollups

/// Everything `sluice-worker` can be told, built from `SLUICE_*` variables and flags.
public struct WorkerConfiguration: Sendable {
    /// `SLUICE_REDIS_URL`: where the streams live.
    public var redisURL: String
    /// `SLUICE_MONGO_URL`: where documents are stored; the path names the database.
    public var mongoURL: String
    /// `SLUICE_MONGO_WRITE_CONCERN`: `majority` or a member count replacing the URL's `w`
    /// for every write (default: the URL's, else 1); entries are acknowledged only after it.
    public var mongoWriteConcern: MongoWriteConcern?
    /// `SLUICE_PARTITIONS`: number of `events:{p}` streams (default 4); must match ingest's.
    public var partitions: Int
    /// `SLUICE_BATCH_SIZE`: most entries read and written per batch (default 500).
    public var batchSize: Int
    /// `SLUICE_CONSUMER_NAME`: this worker's name in the consumer group (default: the host name).
    /// A restarted worker with the same name re-reads the entries it had not acknowledged.
    public var consumerName: String
    /// `SLUICE_BLOCK_MS`: how long one read waits for new entries (default 2000 ms).
    public var blockMilliseconds: Int
    /// `SLUICE_CLAIM_IDLE`: seconds an entry may sit pending on another consumer before
    /// this worker takes it over (default 60).
    public var claimIdleSeconds: Int
    /// `SLUICE_MAX_DELIVERIES`: deliveries after which an entry that still was not
    /// stored goes to the dead-letter stream (default 5).
    public var maxDeliveries: Int
    /// `SLUICE_DEAD_LETTER_LIMIT`: most letters kept in `events:dead`; the oldest past it move to
    /// MongoDB's `deadletters` (default 100000).
    public var deadLetterLimit: Int
    /// `SLUICE_DEAD_LETTER_MAX_AGE`: seconds after which a letter moves to `deadletters` whatever
    /// the length (default 0: no age bound).
    public var deadLetterMaxAgeSeconds: Int
    /// `SLUICE_SESSION_TIMEOUT`: seconds of inactivity that end a session (default 1800).
    public var sessionTimeoutSeconds: Int
    /// `SLUICE_FLUSH_INTERVAL`: seconds between flushes of derived sessions, visitors and
    /// roll-ups to MongoDB, so also how stale they may be (default 60; docs/derived-data.md).
    public var flushIntervalSeconds: Int
    /// `SLUICE_ROLLUP_WINDOW`: seconds after its end that an hour or day roll-up still takes
    /// late events; later ones are left to `sluicectl rollups rebuild` (default 172800, 48 hours).
    public var rollupWindowSeconds: Int
    /// `SLUICE_FUNNELS`: the conversion funnels whose progress the roll-ups count (default: none).
    public var funnels: FunnelSettings
    /// `SLUICE_MAX_EVENT_AGE`: seconds after which an arriving event is flagged `late` (default 604800, 7 days).
    public var maxEventAgeSeconds: Int
    /// `SLUICE_UAP_REGEXES`: uap-core's regexes.yaml (default /usr/share/uap-core/regexes.yaml, Debian's `uap-core`).
    public var userAgentRegexesPath: String
    /// `SLUICE_UA_CACHE_SIZE`: parsed user agents kept in memory (default 10000).
    public var userAgentCacheSize: Int
    /// `SLUICE_WORKER_HOST`: address of the worker's `/metrics` and `/healthz` (default 127.0.0.1).
    public var metricsHost: String
    /// `SLUICE_WORKER_PORT`: port of the worker's `/metrics` and `/healthz` (default 3006; 0 picks a free one).
    public var metricsPort: Int
    /// `SLUICE_RETENTION`: days each collection keeps its documents, applied as TTL indexes at start
    /// (default: unset, keep everything).
    public var retention: RetentionPolicy

    /// Reads the configuration; unset settings take their documented defaults.
    public init(settings: Settings) throws(ConfigurationError) {
        redisURL = settings.redisURL
        mongoURL = settings.mongoURL
        mongoWriteConcern = try MongoWriteConcern.parse(settings.string("SLUICE_MONGO_WRITE_CONCERN", default: ""))
        partitions = try settings.partitions()
        batchSize = try settings.integer("SLUICE_BATCH_SIZE", default: 500, range: 1...10_000)
        consumerName = settings.string("SLUICE_CONSUMER_NAME", default: ProcessInfo.processInfo.hostName)
        blockMilliseconds = try settings.integer("SLUICE_BLOCK_MS", default: 2000, range: 10...60_000)
        claimIdleSeconds = try settings.seconds("SLUICE_CLAIM_IDLE", default: 60, range: 1...86_400)
        maxDeliveries = try settings.integer("SLUICE_MAX_DELIVERIES", default: 5, range: 1...1000)
        deadLetterLimit = try settings.integer("SLUICE_DEAD_LETTER_LIMIT", default: 100_000, range: 0...100_000_000)
        deadLetterMaxAgeSeconds = try settings.seconds("SLUICE_DEAD_LETTER_MAX_AGE", default: 0, range: 0...315_360_000)
        sessionTimeoutSeconds = try settings.seconds("SLUICE_SESSION_TIMEOUT", default: 1800, range: 1...86_400)
        flushIntervalSeconds = try settings.seconds("SLUICE_FLUSH_INTERVAL", default: 60, range: 1...3600)
        rollupWindowSeconds = try settings.seconds("SLUICE_ROLLUP_WINDOW", default: 172_800, range: 3600...2_678_400)
        funnels = try FunnelSettings(settings: settings)
        maxEventAgeSeconds = try settings.seconds("SLUICE_MAX_EVENT_AGE", default: 604_800, range: 60...31_536_000)
        userAgentRegexesPath = settings.string("SLUICE_UAP_REGEXES", default: "/usr/share/uap-core/regexes.yaml")
        userAgentCacheSize = try settings.integer("SLUICE_UA_CACHE_SIZE", default: 10_000, range: 1...10_000_000)
        metricsHost = settings.string("SLUICE_WORKER_HOST", default: "127.0.0.1")
        metricsPort = try settings.integer("SLUICE_WORKER_PORT", default: 3006, range: 0...65535)
        retention =
            try settings.optionalString("SLUICE_RETENTION").map { text throws(ConfigurationError) in
                try RetentionPolicy(parsing: text)
            } ?? RetentionPolicy()
    }

    /// The effective configuration as printed at start-up, secrets masked.
    public var summary: [(String, String)] {
        [
            ("SLUICE_REDIS_URL", maskedURL(redisURL)),
            ("SLUICE_MONGO_URL", maskedURL(mongoURL)),
            ("SLUICE_MONGO_WRITE_CONCERN", mongoWriteConcern?.description ?? "(the URL's w, else 1)"),
            ("SLUICE_PARTITIONS", String(partitions)),
            ("SLUICE_BATCH_SIZE", String(batchSize)),
            ("SLUICE_CONSUMER_NAME", consumerName),
            ("SLUICE_BLOCK_MS", String(blockMilliseconds)),
            ("SLUICE_CLAIM_IDLE", String(claimIdleSeconds)),
            ("SLUICE_MAX_DELIVERIES", String(maxDeliveries)),
            ("SLUICE_DEAD_LETTER_LIMIT", String(deadLetterLimit)),
            ("SLUICE_DEAD_LETTER_MAX_AGE", deadLetterMaxAgeSeconds == 0 ? "0 (no age bound)" : String(deadLetterMaxAgeSeconds)),
            ("SLUICE_SESSION_TIMEOUT", String(sessionTimeoutSeconds)),
            ("SLUICE_FLUSH_INTERVAL", String(flushIntervalSeconds)),
            ("SLUICE_ROLLUP_WINDOW", String(rollupWindowSeconds)),
            (FunnelSettings.variable, funnels.summary),
            ("SLUICE_MAX_EVENT_AGE", String(maxEventAgeSeconds)),
            ("SLUICE_UAP_REGEXES", userAgentRegexesPath),
            ("SLUICE_UA_CACHE_SIZE", String(userAgentCacheSize)),
            ("SLUICE_WORKER_HOST", metricsHost),
            ("SLUICE_WORKER_PORT", String(metricsPort)),
            ("SLUICE_RETENTION", retention.summary),
        ]
    }
}

/// `SLUICE_RETENTION`, e.g. `pageviews=90,apiusages=30,*=365`: days after which a
/// collection's documents expire (docs/privacy.md). `*` stands for every event
/// collection not named; `sessions` and `visitors` expire only when named. A
/// collection without days keeps its documents forever.
public struct RetentionPolicy: Sendable, Equatable {
    /// The collections a policy may name: the six event collections, then sessions and visitors.
    public static let collections = StoreCollection.personal
    /// The most days, so that the seconds fit the `int32` MongoDB stores `expireAfterSeconds` as.
    public static let maximumDays = Int(Int32.max) / 86_400

    /// Days per collection named in the setting.
    public private(set) var namedDays: [String: Int] = [:]
    /// Days for every event collection not named (`*`), or nil.
    public private(set) var otherEventDays: Int?

    /// Keeps every document forever.
    public init() {}

    /// Parses `collection=days` items separated by commas; spaces around items, names and days are ignored.
    public init(parsing text: String) throws(ConfigurationError) {
        func invalid(_ expected: String) -> ConfigurationError {
            ConfigurationError(variable: "SLUICE_RETENTION", value: text, expected: expected)
        }
        if text.trimmingCharacters(in: .whitespaces).isEmpty { return }
        for rawItem in text.split(separator: ",", omittingEmptySubsequences: false) {
            let item = rawItem.trimmingCharacters(in: .whitespaces)
            guard !item.isEmpty else { throw invalid("collection=days items separated by single commas, none of them empty") }
            let parts = item.split(separator: "=", omittingEmptySubsequences: false)
            guard parts.count == 2 else {
                throw invalid("comma-separated collection=days items (e.g. pageviews=90,*=365), not \"\(item)\"")
            }
            let name = parts[0].trimmingCharacters(in: .whitespaces)
            let daysText = parts[1].trimmingCharacters(in: .whitespaces)
            guard name == "*" || Self.collections.contains(name) else {
                throw invalid("a collection among \(Self.collections.joined(separator: ", ")) or * (every event collection not named), not \"\(name)\"")
            }
            guard let days = Int(daysText), (1...Self.maximumDays).contains(days) else {
                throw invalid("whole days from 1 to \(Self.maximumDays) for \(name), not \"\(daysText)\"")
            }
            guard name == "*" ? otherEventDays == nil : namedDays[name] == nil else {
                throw invalid("each collection at most once, but \(name) is given twice")
            }
            if name == "*" { otherEventDays = days } else { namedDays[name] = days }
        }
    }

    /// Days after which `collection`'s documents expire, or nil to keep them forever.
    public func days(for collection: String) -> Int? {
        namedDays[collection] ?? (IndexCatalog.eventCollections.contains(collection) ? otherEventDays : nil)
    }

    /// `expireAfterSeconds` for `collection`'s TTL index, or nil for none.
    public func expireAfterSeconds(for collection: String) -> Int32? {
        days(for: collection).map { Int32($0 * 86_400) }
    }

    /// Whether nothing expires.
    public var keepsEverything: Bool { namedDays.isEmpty && otherEventDays == nil }

    /// The effective days of every collection, for the start-up summary.
    public var summary: String {
        if keepsEverything { return "(unset: keep forever)" }
        return Self.collections.map { collection in "\(collection)=\(days(for: collection).map { "\($0)d" } ?? "forever")" }
            .joined(separator: ",")
    }
}
