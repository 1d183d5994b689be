import ArgumentParser
import Foundation
import Logging
import SluiceCore
import SluiceWorker

/// `sluice-worker`: drains the streams into MongoDB. Every flag has a `SLUICE_*` variable; the flag wins.
/// Its flags are its declared settings (`WorkerSettings.all`), read by `SettingArguments`: no setting is
/// spelled out here.
@main
struct SluiceWorkerCommand: AsyncParsableCommand {
    private typealias S = WorkerSettings

    static let configuration = CommandConfiguration(
        commandName: "sluice-worker",
        abstract: "Read events from the Redis streams, enrich them and store them in MongoDB.",
        discussion:
            "Start as many workers as you like; they share the consumer group.\n\n" + SettingArguments.helpListing(S.all))

    @Argument(parsing: .allUnrecognized, help: ArgumentHelp("Any setting listed above, as --flag <value> or --flag=<value>", valueName: "setting"))
    var settingArguments: [String] = []

    func run() async throws {
        let configuration: WorkerConfiguration
        let logger: Logger
        do {
            let settings = try Settings(environment: ProcessInfo.processInfo.environment, arguments: settingArguments, declared: S.all)
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
