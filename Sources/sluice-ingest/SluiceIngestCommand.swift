import ArgumentParser
import Foundation
import Hummingbird
import Logging
import SluiceCore
import SluiceIngest

/// `sluice-ingest`: the HTTP front door. Every flag has a `SLUICE_*` variable; the flag wins.
/// Its flags are its declared settings (`IngestSettings.all`), read by `SettingArguments`: no setting is
/// spelled out here.
@main
struct SluiceIngestCommand: AsyncParsableCommand {
    private typealias S = IngestSettings

    static let configuration = CommandConfiguration(
        commandName: "sluice-ingest",
        abstract: "Accept tracking events over HTTP and append them to Redis streams.",
        discussion: SettingArguments.helpListing(S.all))

    @Argument(parsing: .allUnrecognized, help: ArgumentHelp("Any setting listed above, as --flag <value> or --flag=<value>", valueName: "setting"))
    var settingArguments: [String] = []

    func run() async throws {
        let configuration: IngestConfiguration
        let logger: Logger
        do {
            let settings = try Settings(environment: ProcessInfo.processInfo.environment, arguments: settingArguments, declared: S.all)
            configuration = try IngestConfiguration(settings: settings)
            logger = try makeLogger(label: "sluice-ingest", settings: settings)
        } catch {
            throw ValidationError("\(error)")
        }
        logEffectiveConfiguration(configuration.summary, logger: logger)
        let app = try buildIngestApplication(configuration: configuration, logger: logger)
        try await app.runService()
    }
}
