/// The settings more than one process reads (ingest, worker, dashboard, sluicectl), each
/// declared once, so the processes cannot disagree about where Redis and MongoDB are,
/// how many partitions the streams have or what a default is. A process where one means
/// something of its own words its help with `Setting.described(_:defaultPhrase:)`.
extension Setting {
    /// `SLUICE_REDIS_URL`: where the streams and live keys are.
    public static let redisURL = Setting.text(
        "SLUICE_REDIS_URL", flag: "redis-url",
        help:
            "Redis URL, redis://[:password@]host:port[/db], or a Redis Cluster's seed list redis://[:password@]host1:port1,host2:port2",
        default: "redis://127.0.0.1:6379")
    /// `SLUICE_MONGO_URL`: where documents are stored; its path names the database.
    public static let mongoURL = Setting.text(
        "SLUICE_MONGO_URL", flag: "mongo-url", help: "MongoDB URL; its path names the database", default: "mongodb://127.0.0.1:27017/sluice")
    /// `SLUICE_PARTITIONS`: the partition streams every process must agree on.
    public static let partitions = Setting.number(
        "SLUICE_PARTITIONS", flag: "partitions", help: "Number of stream partitions; the same in every process", default: 4,
        range: 1...1024)
    /// `SLUICE_LOG_LEVEL`: the least severe level logged, as `makeLogger` reads it.
    public static let logLevel = Setting.text(
        "SLUICE_LOG_LEVEL", flag: "log-level", help: "Log level: trace, debug, info, notice, warning, error", default: "info")
    /// `SLUICE_COOKIE_NAME`: ingest's visitor cookie, which the dashboard's `/current` reads.
    public static let cookieName = Setting.text("SLUICE_COOKIE_NAME", flag: "cookie-name", help: "Name of the visitor cookie", default: "sluice_visitor")
    /// `SLUICE_SITES`: the sites file (write keys, origins, time zones) ingest and the dashboard read.
    public static let sites = Setting.text(
        "SLUICE_SITES", flag: "sites", help: "JSON sites file with write keys and allowed origins", defaultPhrase: "default: none, open to any caller")
    /// `SLUICE_ADMIN_TOKEN`: the bearer token of the routes that show other people's data.
    public static let adminToken = Setting.text(
        "SLUICE_ADMIN_TOKEN", flag: "admin-token", help: "Token that /api/analytics/analytics/realtime requires, at least 16 characters", isSecret: true)
    /// `SLUICE_ROLLUP_WINDOW`: seconds after its end that a roll-up bucket stays open (worker and dashboard).
    public static let rollupWindow = Setting.seconds(
        "SLUICE_ROLLUP_WINDOW", flag: "rollup-window",
        help: "Seconds after its end that an hour or day roll-up still counts late events; later ones wait for `sluicectl rollups rebuild`",
        default: 172_800, range: 3600...2_678_400)
    /// `SLUICE_FUNNELS`: the conversion funnels the roll-ups count (worker, dashboard, sluicectl).
    public static let funnels = Setting.text(
        "SLUICE_FUNNELS", flag: "funnels",
        help:
            "Conversion funnels whose progress the roll-ups count, e.g. \"checkout: /pricing > auth/signup > payment/succeeded; onboarding: /welcome > /setup\"",
        defaultPhrase: "default: none")
}

extension Settings {
    /// `SLUICE_REDIS_URL`.
    public var redisURL: String { string(Setting.redisURL) }

    /// `SLUICE_MONGO_URL`.
    public var mongoURL: String { string(Setting.mongoURL) }

    /// `SLUICE_PARTITIONS`: the partition streams every process must agree on.
    public func partitions() throws(ConfigurationError) -> Int {
        try number(Setting.partitions)
    }
}
