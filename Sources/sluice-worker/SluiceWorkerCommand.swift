import ArgumentParser
import Foundation
import Logging
import SluiceCore
import SluiceWorker

/// `sluice-worker`: drains the streams into MongoDB. Every flag has a `SLUICE_*` variable; the flag wins.
@main
struct SluiceWorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sluice-worker",
        abstract: "Read events from the Redis streams, enrich them and store them in MongoDB.",
        discussion:
            "Start as many workers as you like; they share the consumer group. Every option can also be set by its environment variable; an option given on the command line wins."
    )

    @Option(help: "Redis URL, or a Redis Cluster's seed list redis://host1:port1,host2:port2 (SLUICE_REDIS_URL, default \(Settings.defaultRedisURL)).")
    var redisURL: String?
    @Option(help: "MongoDB URL; its path names the database (SLUICE_MONGO_URL, default \(Settings.defaultMongoURL)).")
    var mongoURL: String?
    @Option(help: "Number of stream partitions; must match ingest (SLUICE_PARTITIONS, default \(Settings.defaultPartitions)).")
    var partitions: Int?
    @Option(help: "Most entries per batch (SLUICE_BATCH_SIZE, default 500).")
    var batchSize: Int?
    @Option(help: "This worker's consumer name; keep it stable across restarts (SLUICE_CONSUMER_NAME, default: host name).")
    var consumerName: String?
    @Option(help: "Milliseconds one read waits for new entries (SLUICE_BLOCK_MS, default 2000).")
    var blockMs: Int?
    @Option(help: "Seconds an entry may sit pending on another consumer before this worker takes it over (SLUICE_CLAIM_IDLE, default 60).")
    var claimIdle: Int?
    @Option(help: "Deliveries after which an entry not yet stored is dead-lettered (SLUICE_MAX_DELIVERIES, default 5).")
    var maxDeliveries: Int?
    @Option(help: "Most letters kept in events:dead; the oldest past it move to MongoDB's deadletters (SLUICE_DEAD_LETTER_LIMIT, default 100000).")
    var deadLetterLimit: Int?
    @Option(help: "Seconds after which a dead letter moves to MongoDB's deadletters whatever the length; 0 for none (SLUICE_DEAD_LETTER_MAX_AGE, default 0).")
    var deadLetterMaxAge: Int?
    @Option(help: "Seconds of inactivity that end a session (SLUICE_SESSION_TIMEOUT, default 1800).")
    var sessionTimeout: Int?
    @Option(
        help:
            "Seconds between flushes of derived sessions, visitors and roll-ups to MongoDB, so also their staleness bound (SLUICE_FLUSH_INTERVAL, default 60).")
    var flushInterval: Int?
    @Option(
        help:
            "Seconds after its end that an hour or day roll-up still counts late events; later ones wait for `sluicectl rollups rebuild` (SLUICE_ROLLUP_WINDOW, default 172800)."
    )
    var rollupWindow: Int?
    @Option(
        help:
            "Conversion funnels whose progress the roll-ups count, e.g. \"checkout: /pricing > auth/signup > payment/succeeded; onboarding: /welcome > /setup\" (SLUICE_FUNNELS, default: none)."
    )
    var funnels: String?
    @Option(help: "Write concern of every write, majority or a member count, replacing the URL's w (SLUICE_MONGO_WRITE_CONCERN, default: the URL's, else 1).")
    var mongoWriteConcern: String?
    @Option(help: "Seconds after which an arriving event is flagged late (SLUICE_MAX_EVENT_AGE, default 604800).")
    var maxEventAge: Int?
    @Option(help: "Path of uap-core's regexes.yaml (SLUICE_UAP_REGEXES, default /usr/share/uap-core/regexes.yaml).")
    var uapRegexes: String?
    @Option(help: "Parsed user agents kept in memory (SLUICE_UA_CACHE_SIZE, default 10000).")
    var uaCacheSize: Int?
    @Option(help: "Address of the worker's /metrics and /healthz (SLUICE_WORKER_HOST, default 127.0.0.1).")
    var metricsHost: String?
    @Option(help: "Port of the worker's /metrics and /healthz; 0 picks a free one (SLUICE_WORKER_PORT, default 3006).")
    var metricsPort: Int?
    @Option(
        help:
            "Days each collection keeps its documents, e.g. pageviews=90,apiusages=30,*=365; * is every other event collection (SLUICE_RETENTION, default: keep forever)."
    )
    var retention: String?
    @Option(help: "Log level: trace, debug, info, notice, warning, error (SLUICE_LOG_LEVEL, default info).")
    var logLevel: String?

    func run() async throws {
        let overrides: [String: String?] = [
            "SLUICE_REDIS_URL": redisURL, "SLUICE_MONGO_URL": mongoURL, "SLUICE_PARTITIONS": partitions.map(String.init),
            "SLUICE_BATCH_SIZE": batchSize.map(String.init), "SLUICE_CONSUMER_NAME": consumerName,
            "SLUICE_BLOCK_MS": blockMs.map(String.init), "SLUICE_LOG_LEVEL": logLevel,
            "SLUICE_CLAIM_IDLE": claimIdle.map(String.init), "SLUICE_MAX_DELIVERIES": maxDeliveries.map(String.init),
            "SLUICE_WORKER_HOST": metricsHost, "SLUICE_SESSION_TIMEOUT": sessionTimeout.map(String.init),
            "SLUICE_MAX_EVENT_AGE": maxEventAge.map(String.init), "SLUICE_UAP_REGEXES": uapRegexes,
            "SLUICE_UA_CACHE_SIZE": uaCacheSize.map(String.init), "SLUICE_WORKER_PORT": metricsPort.map(String.init),
            "SLUICE_RETENTION": retention, "SLUICE_DEAD_LETTER_LIMIT": deadLetterLimit.map(String.init),
            "SLUICE_DEAD_LETTER_MAX_AGE": deadLetterMaxAge.map(String.init),
            "SLUICE_FLUSH_INTERVAL": flushInterval.map(String.init), "SLUICE_ROLLUP_WINDOW": rollupWindow.map(String.init),
            "SLUICE_FUNNELS": funnels, "SLUICE_MONGO_WRITE_CONCERN": mongoWriteConcern,
        ]
        let settings = Settings(environment: ProcessInfo.processInfo.environment, overrides: overrides.compactMapValues { $0 })
        let configuration: WorkerConfiguration
        let logger: Logger
        do {
            configuration = try WorkerConfiguration(settings: settings)
            logger = try makeLogger(label: "sluice-worker", settings: settings)
        } catch {
            throw ValidationError("\(error)")
        }
        logEffectiveConfiguration(configuration.summary, logger: logger)
        do {
            try await buildWorkerApplication(configuration: configuration, logger: logger).runService()
        } catch {
            // Every service has stopped by now, the consumer included: say why, and exit non-zero.
            logger.critical("sluice-worker exits: \(WorkerFailure(error, configuration: configuration))")
            throw ExitCode.failure
        }
    }
}
