import Foundation
import SluiceCore
import SluiceMongo
import SluiceRollups

/// Everything `sluice-worker` can be told, built from `SLUICE_*` variables and flags
/// (each declared once in `WorkerSettings` or, shared with other processes, in `Setting`).
public struct WorkerConfiguration: Sendable {
    private typealias S = WorkerSettings

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
    /// `SLUICE_LOG_LEVEL`: the least severe level logged (default `info`), as `makeLogger` reads it.
    public var logLevel: String

    /// Reads the configuration; unset settings take their documented defaults.
    public init(settings: Settings) throws(ConfigurationError) {
        logLevel = settings.string(Setting.logLevel).lowercased()
        redisURL = settings.redisURL
        mongoURL = settings.mongoURL
        mongoWriteConcern = try MongoWriteConcern.parse(settings.string(S.mongoWriteConcern), variable: S.mongoWriteConcern.variable)
        partitions = try settings.partitions()
        batchSize = try settings.number(S.batchSize)
        consumerName = settings.optionalString(S.consumerName) ?? ProcessInfo.processInfo.hostName
        blockMilliseconds = try settings.number(S.blockMs)
        claimIdleSeconds = try settings.number(S.claimIdle)
        maxDeliveries = try settings.number(S.maxDeliveries)
        deadLetterLimit = try settings.number(S.deadLetterLimit)
        deadLetterMaxAgeSeconds = try settings.number(S.deadLetterMaxAge)
        sessionTimeoutSeconds = try settings.number(S.sessionTimeout)
        flushIntervalSeconds = try settings.number(S.flushInterval)
        rollupWindowSeconds = try settings.number(Setting.rollupWindow)
        funnels = try FunnelSettings(settings: settings)
        maxEventAgeSeconds = try settings.number(S.maxEventAge)
        userAgentRegexesPath = settings.string(S.uapRegexes)
        userAgentCacheSize = try settings.number(S.uaCacheSize)
        metricsHost = settings.string(S.metricsHost)
        metricsPort = try settings.number(S.metricsPort)
        retention =
            try settings.optionalString(S.retention).map { text throws(ConfigurationError) in
                try RetentionPolicy(parsing: text)
            } ?? RetentionPolicy()
    }

    /// The effective configuration as printed at start-up, secrets masked.
    public var summary: [(String, String)] {
        [
            (Setting.redisURL.variable, maskedURL(redisURL)),
            (Setting.mongoURL.variable, maskedURL(mongoURL)),
            (S.mongoWriteConcern.variable, mongoWriteConcern?.description ?? "(the URL's w, else 1)"),
            (Setting.partitions.variable, String(partitions)),
            (S.batchSize.variable, String(batchSize)),
            (S.consumerName.variable, consumerName),
            (S.blockMs.variable, String(blockMilliseconds)),
            (S.claimIdle.variable, String(claimIdleSeconds)),
            (S.maxDeliveries.variable, String(maxDeliveries)),
            (S.deadLetterLimit.variable, String(deadLetterLimit)),
            (S.deadLetterMaxAge.variable, deadLetterMaxAgeSeconds == 0 ? "0 (no age bound)" : String(deadLetterMaxAgeSeconds)),
            (S.sessionTimeout.variable, String(sessionTimeoutSeconds)),
            (S.flushInterval.variable, String(flushIntervalSeconds)),
            (Setting.rollupWindow.variable, String(rollupWindowSeconds)),
            (Setting.funnels.variable, funnels.summary),
            (S.maxEventAge.variable, String(maxEventAgeSeconds)),
            (S.uapRegexes.variable, userAgentRegexesPath),
            (S.uaCacheSize.variable, String(userAgentCacheSize)),
            (S.metricsHost.variable, metricsHost),
            (S.metricsPort.variable, String(metricsPort)),
            (S.retention.variable, retention.summary),
            (Setting.logLevel.variable, logLevel),
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
            ConfigurationError(variable: WorkerSettings.retention.variable, value: text, expected: expected)
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
