import ArgumentParser
import Foundation
import Hummingbird
import Logging
import SluiceCore
import SluiceIngest

/// `sluice-ingest`: the HTTP front door. Every flag has a `SLUICE_*` variable; the flag wins.
/// Each flag's name and help come from its declaration in `IngestSettings` or `Setting`.
@main
struct SluiceIngestCommand: AsyncParsableCommand {
    private typealias S = IngestSettings

    static let configuration = CommandConfiguration(
        commandName: "sluice-ingest",
        abstract: "Accept tracking events over HTTP and append them to Redis streams.",
        discussion: "Every option can also be set by its environment variable; an option given on the command line wins.")

    @Option(name: .customLong(Setting.redisURL.flag), help: ArgumentHelp(Setting.redisURL.helpText)) var redisURL: String?
    @Option(name: .customLong(S.host.flag), help: ArgumentHelp(S.host.helpText)) var host: String?
    @Option(name: .customLong(S.port.flag), help: ArgumentHelp(S.port.helpText)) var port: Int?
    @Option(name: .customLong(Setting.partitions.flag), help: ArgumentHelp(Setting.partitions.helpText)) var partitions: Int?
    @Option(name: .customLong(Setting.cookieName.flag), help: ArgumentHelp(Setting.cookieName.helpText)) var cookieName: String?
    @Option(name: .customLong(S.cookieDomain.flag), help: ArgumentHelp(S.cookieDomain.helpText)) var cookieDomain: String?
    @Option(name: .customLong(S.backlogLimit.flag), help: ArgumentHelp(S.backlogLimit.helpText)) var backlogLimit: Int?
    @Option(name: .customLong(Setting.sites.flag), help: ArgumentHelp(Setting.sites.helpText)) var sites: String?
    @Option(name: .customLong(S.rateLimitAddress.flag), help: ArgumentHelp(S.rateLimitAddress.helpText)) var rateLimitAddress: String?
    @Option(name: .customLong(S.addressKey.flag), help: ArgumentHelp(S.addressKey.helpText)) var addressKey: String?
    @Option(name: .customLong(S.rateLimitVisitor.flag), help: ArgumentHelp(S.rateLimitVisitor.helpText)) var rateLimitVisitor: String?
    @Option(name: .customLong(S.rateLimitSite.flag), help: ArgumentHelp(S.rateLimitSite.helpText)) var rateLimitSite: String?
    @Option(name: .customLong(S.rateLimitServer.flag), help: ArgumentHelp(S.rateLimitServer.helpText)) var rateLimitServer: String?
    @Option(name: .customLong(S.trustedProxies.flag), help: ArgumentHelp(S.trustedProxies.helpText)) var trustedProxies: String?
    @Option(name: .customLong(S.proxyHeader.flag), help: ArgumentHelp(S.proxyHeader.helpText)) var proxyHeader: String?
    @Option(name: .customLong(S.ipMode.flag), help: ArgumentHelp(S.ipMode.helpText)) var ipMode: String?
    @Option(name: .customLong(S.doNotTrack.flag), help: ArgumentHelp(S.doNotTrack.helpText)) var dnt: String?
    @Option(name: .customLong(S.cookieless.flag), help: ArgumentHelp(S.cookieless.helpText)) var cookieless: String?
    @Option(name: .customLong(S.redact.flag), help: ArgumentHelp(S.redact.helpText)) var redact: String?
    @Option(name: .customLong(S.redactPatterns.flag), help: ArgumentHelp(S.redactPatterns.helpText)) var redactPatterns: String?
    @Option(name: .customLong(S.urlSecretParams.flag), help: ArgumentHelp(S.urlSecretParams.helpText)) var urlSecretParams: String?
    @Option(name: .customLong(Setting.adminToken.flag), help: ArgumentHelp(Setting.adminToken.helpText)) var adminToken: String?
    @Option(name: .customLong(S.requestTimeout.flag), help: ArgumentHelp(S.requestTimeout.helpText)) var requestTimeout: Int?
    @Option(name: .customLong(S.maxConnections.flag), help: ArgumentHelp(S.maxConnections.helpText)) var maxConnections: Int?
    @Option(name: .customLong(S.maxEventBytes.flag), help: ArgumentHelp(S.maxEventBytes.helpText)) var maxEventBytes: Int?
    @Option(name: .customLong(S.maxRequestBytes.flag), help: ArgumentHelp(S.maxRequestBytes.helpText)) var maxRequestBytes: Int?
    @Option(name: .customLong(S.maxBatchEvents.flag), help: ArgumentHelp(S.maxBatchEvents.helpText)) var maxBatchEvents: Int?
    @Option(name: .customLong(S.replicaAcks.flag), help: ArgumentHelp(S.replicaAcks.helpText)) var replicaAcks: Int?
    @Option(name: .customLong(S.replicaAckTimeoutMs.flag), help: ArgumentHelp(S.replicaAckTimeoutMs.helpText)) var replicaAckTimeoutMs: Int?
    @Option(name: .customLong(Setting.logLevel.flag), help: ArgumentHelp(Setting.logLevel.helpText)) var logLevel: String?

    func run() async throws {
        let flags: KeyValuePairs<Setting, (any CustomStringConvertible)?> = [
            Setting.redisURL: redisURL,
            S.host: host,
            S.port: port,
            Setting.partitions: partitions,
            Setting.cookieName: cookieName,
            S.cookieDomain: cookieDomain,
            S.backlogLimit: backlogLimit,
            Setting.sites: sites,
            S.rateLimitAddress: rateLimitAddress,
            S.addressKey: addressKey,
            S.rateLimitVisitor: rateLimitVisitor,
            S.rateLimitSite: rateLimitSite,
            S.rateLimitServer: rateLimitServer,
            S.trustedProxies: trustedProxies,
            S.proxyHeader: proxyHeader,
            S.ipMode: ipMode,
            S.doNotTrack: dnt,
            S.cookieless: cookieless,
            S.redact: redact,
            S.redactPatterns: redactPatterns,
            S.urlSecretParams: urlSecretParams,
            Setting.adminToken: adminToken,
            S.requestTimeout: requestTimeout,
            S.maxConnections: maxConnections,
            S.maxEventBytes: maxEventBytes,
            S.maxRequestBytes: maxRequestBytes,
            S.maxBatchEvents: maxBatchEvents,
            S.replicaAcks: replicaAcks,
            S.replicaAckTimeoutMs: replicaAckTimeoutMs,
            Setting.logLevel: logLevel,
        ]
        let settings = Settings(environment: ProcessInfo.processInfo.environment, flags: flags)
        let configuration: IngestConfiguration
        let logger: Logger
        do {
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
