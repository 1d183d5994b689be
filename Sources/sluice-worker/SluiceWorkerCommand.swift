import ArgumentParser
import Foundation
import Logging
import SluiceCore
import SluiceWorker

/// `sluice-worker`: drains the streams into MongoDB. Every flag has a `SLUICE_*` variable; the flag wins.
/// Each flag's name and help come from its declaration in `WorkerSettings` or `Setting`.
@main
struct SluiceWorkerCommand: AsyncParsableCommand {
    private typealias S = WorkerSettings

    static let configuration = CommandConfiguration(
        commandName: "sluice-worker",
        abstract: "Read events from the Redis streams, enrich them and store them in MongoDB.",
        discussion:
            "Start as many workers as you like; they share the consumer group. Every option can also be set by its environment variable; an option given on the command line wins."
    )

    @Option(name: .customLong(Setting.redisURL.flag), help: ArgumentHelp(Setting.redisURL.helpText)) var redisURL: String?
    @Option(name: .customLong(Setting.mongoURL.flag), help: ArgumentHelp(Setting.mongoURL.helpText)) var mongoURL: String?
    @Option(name: .customLong(Setting.partitions.flag), help: ArgumentHelp(Setting.partitions.helpText)) var partitions: Int?
    @Option(name: .customLong(S.batchSize.flag), help: ArgumentHelp(S.batchSize.helpText)) var batchSize: Int?
    @Option(name: .customLong(S.consumerName.flag), help: ArgumentHelp(S.consumerName.helpText)) var consumerName: String?
    @Option(name: .customLong(S.blockMs.flag), help: ArgumentHelp(S.blockMs.helpText)) var blockMs: Int?
    @Option(name: .customLong(S.claimIdle.flag), help: ArgumentHelp(S.claimIdle.helpText)) var claimIdle: Int?
    @Option(name: .customLong(S.maxDeliveries.flag), help: ArgumentHelp(S.maxDeliveries.helpText)) var maxDeliveries: Int?
    @Option(name: .customLong(S.deadLetterLimit.flag), help: ArgumentHelp(S.deadLetterLimit.helpText)) var deadLetterLimit: Int?
    @Option(name: .customLong(S.deadLetterMaxAge.flag), help: ArgumentHelp(S.deadLetterMaxAge.helpText)) var deadLetterMaxAge: Int?
    @Option(name: .customLong(S.sessionTimeout.flag), help: ArgumentHelp(S.sessionTimeout.helpText)) var sessionTimeout: Int?
    @Option(name: .customLong(S.flushInterval.flag), help: ArgumentHelp(S.flushInterval.helpText)) var flushInterval: Int?
    @Option(name: .customLong(Setting.rollupWindow.flag), help: ArgumentHelp(Setting.rollupWindow.helpText)) var rollupWindow: Int?
    @Option(name: .customLong(Setting.funnels.flag), help: ArgumentHelp(Setting.funnels.helpText)) var funnels: String?
    @Option(name: .customLong(S.mongoWriteConcern.flag), help: ArgumentHelp(S.mongoWriteConcern.helpText)) var mongoWriteConcern: String?
    @Option(name: .customLong(S.maxEventAge.flag), help: ArgumentHelp(S.maxEventAge.helpText)) var maxEventAge: Int?
    @Option(name: .customLong(S.uapRegexes.flag), help: ArgumentHelp(S.uapRegexes.helpText)) var uapRegexes: String?
    @Option(name: .customLong(S.uaCacheSize.flag), help: ArgumentHelp(S.uaCacheSize.helpText)) var uaCacheSize: Int?
    @Option(name: .customLong(S.metricsHost.flag), help: ArgumentHelp(S.metricsHost.helpText)) var metricsHost: String?
    @Option(name: .customLong(S.metricsPort.flag), help: ArgumentHelp(S.metricsPort.helpText)) var metricsPort: Int?
    @Option(name: .customLong(S.retention.flag), help: ArgumentHelp(S.retention.helpText)) var retention: String?
    @Option(name: .customLong(Setting.logLevel.flag), help: ArgumentHelp(Setting.logLevel.helpText)) var logLevel: String?

    func run() async throws {
        let flags: KeyValuePairs<Setting, (any CustomStringConvertible)?> = [
            Setting.redisURL: redisURL,
            Setting.mongoURL: mongoURL,
            Setting.partitions: partitions,
            S.batchSize: batchSize,
            S.consumerName: consumerName,
            S.blockMs: blockMs,
            S.claimIdle: claimIdle,
            S.maxDeliveries: maxDeliveries,
            S.deadLetterLimit: deadLetterLimit,
            S.deadLetterMaxAge: deadLetterMaxAge,
            S.sessionTimeout: sessionTimeout,
            S.flushInterval: flushInterval,
            Setting.rollupWindow: rollupWindow,
            Setting.funnels: funnels,
            S.mongoWriteConcern: mongoWriteConcern,
            S.maxEventAge: maxEventAge,
            S.uapRegexes: uapRegexes,
            S.uaCacheSize: uaCacheSize,
            S.metricsHost: metricsHost,
            S.metricsPort: metricsPort,
            S.retention: retention,
            Setting.logLevel: logLevel,
        ]
        let settings = Settings(environment: ProcessInfo.processInfo.environment, flags: flags)
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
