import ArgumentParser
import Foundation
import Hummingbird
import Logging
import SluiceCore
import SluiceDashboard

/// `sluice-dashboard`: the read side. Every flag has a `SLUICE_*` variable; the flag wins.
/// Each flag's name and help come from its declaration in `DashboardSettings` or `Setting`.
@main
struct SluiceDashboardCommand: AsyncParsableCommand {
    private typealias S = DashboardSettings

    static let configuration = CommandConfiguration(
        commandName: "sluice-dashboard",
        abstract: "Serve the seed's analytics read routes and the dashboard from MongoDB and Redis.",
        discussion: "Every option can also be set by its environment variable; an option given on the command line wins.")

    @Option(name: .customLong(Setting.redisURL.flag), help: ArgumentHelp(Setting.redisURL.helpText)) var redisURL: String?
    @Option(name: .customLong(Setting.mongoURL.flag), help: ArgumentHelp(Setting.mongoURL.helpText)) var mongoURL: String?
    @Option(name: .customLong(S.host.flag), help: ArgumentHelp(S.host.helpText)) var host: String?
    @Option(name: .customLong(S.port.flag), help: ArgumentHelp(S.port.helpText)) var port: Int?
    @Option(name: .customLong(Setting.partitions.flag), help: ArgumentHelp(Setting.partitions.helpText)) var partitions: Int?
    @Option(name: .customLong(S.cookieName.flag), help: ArgumentHelp(S.cookieName.helpText)) var cookieName: String?
    @Option(name: .customLong(S.sites.flag), help: ArgumentHelp(S.sites.helpText)) var sites: String?
    @Option(name: .customLong(S.adminToken.flag), help: ArgumentHelp(S.adminToken.helpText)) var adminToken: String?
    @Option(name: .customLong(Setting.logLevel.flag), help: ArgumentHelp(Setting.logLevel.helpText)) var logLevel: String?
    @Option(name: .customLong(S.cacheSeconds.flag), help: ArgumentHelp(S.cacheSeconds.helpText)) var cacheSeconds: Int?
    @Option(name: .customLong(S.rollupWindow.flag), help: ArgumentHelp(S.rollupWindow.helpText)) var rollupWindow: Int?
    @Option(name: .customLong(S.funnels.flag), help: ArgumentHelp(S.funnels.helpText)) var funnels: String?

    func run() async throws {
        let flags: KeyValuePairs<Setting, (any CustomStringConvertible)?> = [
            Setting.redisURL: redisURL,
            Setting.mongoURL: mongoURL,
            S.host: host,
            S.port: port,
            Setting.partitions: partitions,
            S.cookieName: cookieName,
            S.sites: sites,
            S.adminToken: adminToken,
            Setting.logLevel: logLevel,
            S.cacheSeconds: cacheSeconds,
            S.rollupWindow: rollupWindow,
            S.funnels: funnels,
        ]
        let settings = Settings(environment: ProcessInfo.processInfo.environment, flags: flags)
        let configuration: DashboardConfiguration
        let logger: Logger
        do {
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
