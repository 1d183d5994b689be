import ArgumentParser
import Foundation
import Hummingbird
import Logging
import SluiceCore
import SluiceDashboard

/// `sluice-dashboard`: the read side. Every flag has a `SLUICE_*` variable; the flag wins.
@main
struct SluiceDashboardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sluice-dashboard",
        abstract: "Serve the seed's analytics read routes and the dashboard from MongoDB and Redis.",
        discussion: "Every option can also be set by its environment variable; an option given on the command line wins.")

    @Option(
        help:
            "Redis URL, redis://[:password@]host:port[/db], or a Redis Cluster's seed list redis://[:password@]host1:port1,host2:port2 (SLUICE_REDIS_URL, default \(Settings.defaultRedisURL))."
    )
    var redisURL: String?
    @Option(help: "MongoDB URL; its path names the database (SLUICE_MONGO_URL, default \(Settings.defaultMongoURL)).")
    var mongoURL: String?
    @Option(help: "Address to listen on once a token is set; without one only 127.0.0.1 (SLUICE_DASHBOARD_HOST, default 127.0.0.1).")
    var host: String?
    @Option(help: "Port to listen on; 0 picks a free one (SLUICE_DASHBOARD_PORT, default 3007).")
    var port: Int?
    @Option(help: "Number of stream partitions; must match ingest and the workers (SLUICE_PARTITIONS, default \(Settings.defaultPartitions)).")
    var partitions: Int?
    @Option(help: "Name of ingest's visitor cookie, read by /current (SLUICE_COOKIE_NAME, default sluice_visitor).")
    var cookieName: String?
    @Option(help: "Ingest's JSON sites file; its origins may ask /current from the browser (SLUICE_SITES, default: none, any origin).")
    var sites: String?
    @Option(
        help:
            "Token that every route but the login and /current requires, at least 16 characters; unset: open on 127.0.0.1 only (SLUICE_ADMIN_TOKEN; prefer the variable: flags show in ps)."
    )
    var adminToken: String?
    @Option(help: "Log level: trace, debug, info, notice, warning, error (SLUICE_LOG_LEVEL, default info).")
    var logLevel: String?
    @Option(help: "Seconds the report pages reuse a read of closed roll-up buckets; 0: never (SLUICE_DASHBOARD_CACHE_SECONDS, default 300).")
    var cacheSeconds: Int?
    @Option(help: "The workers' roll-up window: a bucket is closed this many seconds after its end (SLUICE_ROLLUP_WINDOW, default 172800).")
    var rollupWindow: Int?
    @Option(
        help:
            "The conversion funnels the workers count, as theirs, e.g. \"checkout: /pricing > auth/signup > payment/succeeded\" (SLUICE_FUNNELS, default: none)."
    )
    var funnels: String?

    func run() async throws {
        let overrides: [String: String?] = [
            "SLUICE_REDIS_URL": redisURL, "SLUICE_MONGO_URL": mongoURL, "SLUICE_DASHBOARD_HOST": host, "SLUICE_DASHBOARD_PORT": port.map(String.init),
            "SLUICE_PARTITIONS": partitions.map(String.init), "SLUICE_COOKIE_NAME": cookieName, "SLUICE_SITES": sites, "SLUICE_ADMIN_TOKEN": adminToken,
            "SLUICE_LOG_LEVEL": logLevel,
            "SLUICE_DASHBOARD_CACHE_SECONDS": cacheSeconds.map(String.init), "SLUICE_ROLLUP_WINDOW": rollupWindow.map(String.init),
            "SLUICE_FUNNELS": funnels,
        ]
        let settings = Settings(environment: ProcessInfo.processInfo.environment, overrides: overrides.compactMapValues { $0 })
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
