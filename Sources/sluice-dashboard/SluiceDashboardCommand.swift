import ArgumentParser
import Foundation
import Hummingbird
import Logging
import SluiceCore
import SluiceDashboard

/// `sluice-dashboard`: the read side. Every flag has a `SLUICE_*` variable; the flag wins.
/// Its flags are its declared settings (`DashboardSettings.all`), read by `SettingArguments`: no setting is
/// spelled out here.
@main
struct SluiceDashboardCommand: AsyncParsableCommand {
    private typealias S = DashboardSettings

    static let configuration = CommandConfiguration(
        commandName: "sluice-dashboard",
        abstract: "Serve the seed's analytics read routes and the dashboard from MongoDB and Redis.",
        discussion: SettingArguments.helpListing(S.all))

    @Argument(parsing: .allUnrecognized, help: ArgumentHelp("Any setting listed above, as --flag <value> or --flag=<value>", valueName: "setting"))
    var settingArguments: [String] = []

    func run() async throws {
        let configuration: DashboardConfiguration
        let logger: Logger
        do {
            let settings = try Settings(environment: ProcessInfo.processInfo.environment, arguments: settingArguments, declared: S.all)
            configuration = try DashboardConfiguration(settings: settings)
            logger = try makeLogger(label: "sluice-dashboard", settings: settings)
        } catch {
            throw ValidationError("\(error)")
        }
        logEffectiveConfiguration(configuration.summary, logger: logger)
        let app = try buildDashboardApplication(configuration: configuration, logger: logger)
        try await app.runService()
    }
}
