import SluiceCore

/// Every setting `sluice-worker` reads, each declared once: its variable, flag, `--help`
/// text, default and range. `WorkerConfiguration` reads them, the command's flags and help
/// come from them, and the start-up summary names them.
public enum WorkerSettings {
    /// `SLUICE_BATCH_SIZE`.
    public static let batchSize = Setting.number("SLUICE_BATCH_SIZE", flag: "batch-size", help: "Most entries per batch", default: 500, range: 1...10_000)
    /// `SLUICE_CONSUMER_NAME`; unset, the host name (known only at run time).
    public static let consumerName = Setting.text(
        "SLUICE_CONSUMER_NAME", flag: "consumer-name", help: "This worker's consumer name; keep it stable across restarts",
        defaultPhrase: "default: host name")
    /// `SLUICE_BLOCK_MS`.
    public static let blockMs = Setting.number(
        "SLUICE_BLOCK_MS", flag: "block-ms", help: "Milliseconds one read waits for new entries", default: 2000, range: 10...60_000)
    /// `SLUICE_CLAIM_IDLE`.
    public static let claimIdle = Setting.seconds(
        "SLUICE_CLAIM_IDLE", flag: "claim-idle", help: "Seconds an entry may sit pending on another consumer before this worker takes it over",
        default: 60, range: 1...86_400)
    /// `SLUICE_MAX_DELIVERIES`.
    public static let maxDeliveries = Setting.number(
        "SLUICE_MAX_DELIVERIES", flag: "max-deliveries", help: "Deliveries after which an entry not yet stored is dead-lettered", default: 5,
        range: 1...1000)
    /// `SLUICE_DEAD_LETTER_LIMIT`.
    public static let deadLetterLimit = Setting.number(
        "SLUICE_DEAD_LETTER_LIMIT", flag: "dead-letter-limit",
        help: "Most letters kept in events:dead; the oldest past it move to MongoDB's deadletters", default: 100_000, range: 0...100_000_000)
    /// `SLUICE_DEAD_LETTER_MAX_AGE`.
    public static let deadLetterMaxAge = Setting.seconds(
        "SLUICE_DEAD_LETTER_MAX_AGE", flag: "dead-letter-max-age",
        help: "Seconds after which a dead letter moves to MongoDB's deadletters whatever the length; 0 for none", default: 0, range: 0...315_360_000)
    /// `SLUICE_SESSION_TIMEOUT`.
    public static let sessionTimeout = Setting.seconds(
        "SLUICE_SESSION_TIMEOUT", flag: "session-timeout", help: "Seconds of inactivity that end a session", default: 1800, range: 1...86_400)
    /// `SLUICE_FLUSH_INTERVAL`.
    public static let flushInterval = Setting.seconds(
        "SLUICE_FLUSH_INTERVAL", flag: "flush-interval",
        help: "Seconds between flushes of derived sessions, visitors and roll-ups to MongoDB, so also their staleness bound", default: 60,
        range: 1...3600)
    /// `SLUICE_MONGO_WRITE_CONCERN`.
    public static let mongoWriteConcern = Setting.text(
        "SLUICE_MONGO_WRITE_CONCERN", flag: "mongo-write-concern",
        help: "Write concern of every write, majority or a member count, replacing the URL's w", defaultPhrase: "default: the URL's, else 1")
    /// `SLUICE_MAX_EVENT_AGE`.
    public static let maxEventAge = Setting.seconds(
        "SLUICE_MAX_EVENT_AGE", flag: "max-event-age", help: "Seconds after which an arriving event is flagged late", default: 604_800,
        range: 60...31_536_000)
    /// `SLUICE_UAP_REGEXES`: uap-core's rules, where Debian's `uap-core` puts them by default.
    public static let uapRegexes = Setting.text(
        "SLUICE_UAP_REGEXES", flag: "uap-regexes", help: "Path of uap-core's regexes.yaml", default: "/usr/share/uap-core/regexes.yaml")
    /// `SLUICE_UA_CACHE_SIZE`.
    public static let uaCacheSize = Setting.number(
        "SLUICE_UA_CACHE_SIZE", flag: "ua-cache-size", help: "Parsed user agents kept in memory", default: 10_000, range: 1...10_000_000)
    /// `SLUICE_WORKER_HOST`.
    public static let metricsHost = Setting.text(
        "SLUICE_WORKER_HOST", flag: "metrics-host", help: "Address of the worker's /metrics and /healthz", default: "127.0.0.1")
    /// `SLUICE_WORKER_PORT`.
    public static let metricsPort = Setting.number(
        "SLUICE_WORKER_PORT", flag: "metrics-port", help: "Port of the worker's /metrics and /healthz; 0 picks a free one", default: 3006,
        range: 0...65535)
    /// `SLUICE_RETENTION`.
    public static let retention = Setting.text(
        "SLUICE_RETENTION", flag: "retention",
        help: "Days each collection keeps its documents, e.g. pageviews=90,apiusages=30,*=365; * is every other event collection",
        defaultPhrase: "default: keep forever")

    /// Every setting, in the order `--help` lists the flags.
    public static let all: [Setting] = [
        .redisURL, .mongoURL, .partitions, batchSize, consumerName, blockMs, claimIdle, maxDeliveries, deadLetterLimit, deadLetterMaxAge,
        sessionTimeout, flushInterval, .rollupWindow, .funnels, mongoWriteConcern, maxEventAge, uapRegexes, uaCacheSize, metricsHost, metricsPort,
        retention, .logLevel,
    ]
}
