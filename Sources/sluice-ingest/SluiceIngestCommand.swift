import ArgumentParser
import Foundation
import Hummingbird
import Logging
import SluiceCore
import SluiceIngest

/// `sluice-ingest`: the HTTP front door. Every flag has a `SLUICE_*` variable; the flag wins.
@main
struct SluiceIngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sluice-ingest",
        abstract: "Accept tracking events over HTTP and append them to Redis streams.",
        discussion: "Every option can also be set by its environment variable; an option given on the command line wins.")

    @Option(
        help:
            "Redis URL, redis://[:password@]host:port[/db], or a Redis Cluster's seed list redis://[:password@]host1:port1,host2:port2 (SLUICE_REDIS_URL, default \(Settings.defaultRedisURL))."
    )
    var redisURL: String?
    @Option(help: "Address to listen on (SLUICE_INGEST_HOST, default 127.0.0.1).")
    var host: String?
    @Option(help: "Port to listen on; 0 picks a free one (SLUICE_INGEST_PORT, default 3005).")
    var port: Int?
    @Option(help: "Number of stream partitions; must match the workers (SLUICE_PARTITIONS, default \(Settings.defaultPartitions)).")
    var partitions: Int?
    @Option(help: "Name of the visitor cookie (SLUICE_COOKIE_NAME, default sluice_visitor).")
    var cookieName: String?
    @Option(
        help:
            "Domain of the visitor cookie, a parent domain shared by the site and ingest such as .example.com (SLUICE_COOKIE_DOMAIN, default: ingest's host only)."
    )
    var cookieDomain: String?
    @Option(help: "Entries waiting in the streams at which new events get 503 (SLUICE_BACKLOG_LIMIT, default 1000000).")
    var backlogLimit: Int?
    @Option(help: "JSON sites file with write keys and allowed origins (SLUICE_SITES, default: none, open to any caller).")
    var sites: String?
    @Option(help: "Token bucket per client address (IPv6: per /64), rate/burst or off (SLUICE_RATE_LIMIT_ADDRESS, default 1000/10000).")
    var rateLimitAddress: String?
    @Option(
        help:
            "Secret of the address buckets' keys, 32 hex digits, the same on every replica (SLUICE_ADDRESS_KEY, default a random key per process; prefer the variable: flags show in ps)."
    )
    var addressKey: String?
    @Option(help: "Token bucket per visitor cookie, inside the address's, rate/burst or off (SLUICE_RATE_LIMIT_VISITOR, default 100/1000).")
    var rateLimitVisitor: String?
    @Option(help: "Token bucket per site, rate/burst or off (SLUICE_RATE_LIMIT_SITE, default off).")
    var rateLimitSite: String?
    @Option(help: "Token bucket per site for its server keys, which skip the address bucket, rate/burst or off (SLUICE_RATE_LIMIT_SERVER, default 5000/50000).")
    var rateLimitServer: String?
    @Option(help: "Comma-separated proxy addresses/CIDRs whose forwarding header is believed (SLUICE_TRUSTED_PROXIES).")
    var trustedProxies: String?
    @Option(help: "The one header trusted proxies name the client in: x-forwarded-for or forwarded (SLUICE_PROXY_HEADER, default x-forwarded-for).")
    var proxyHeader: String?
    @Option(help: "Client address kept: anonymize, full or none (SLUICE_IP_MODE, default anonymize).")
    var ipMode: String?
    @Option(help: "Do Not Track / GPC handling: anonymous, drop or ignore (SLUICE_DNT, default anonymous).")
    var dnt: String?
    @Option(help: "Cookieless visitor ids from a daily keyed hash: true or false (SLUICE_COOKIELESS, default false).")
    var cookieless: String?
    @Option(help: "Personal data scrubbed before queuing: email,phone,card or none (SLUICE_REDACT, default email,phone,card).")
    var redact: String?
    @Option(help: "JSON file of extra named regular expressions to scrub, {\"patterns\": {\"name\": \"regex\"}} (SLUICE_REDACT_PATTERNS).")
    var redactPatterns: String?
    @Option(
        help:
            "Query parameters whose values are redacted in page URLs, referrers and endpoints, names with optional * (SLUICE_URL_SECRET_PARAMS, default *token*,*secret*,…; none)."
    )
    var urlSecretParams: String?
    @Option(help: "Token that /api/analytics/analytics/realtime requires, at least 16 characters (SLUICE_ADMIN_TOKEN; prefer the variable: flags show in ps).")
    var adminToken: String?
    @Option(help: "Seconds a connection may take to deliver a whole request (SLUICE_REQUEST_TIMEOUT, default 30).")
    var requestTimeout: Int?
    @Option(help: "Open connections at most (SLUICE_MAX_CONNECTIONS, default 10000).")
    var maxConnections: Int?
    @Option(help: "Largest event in bytes (SLUICE_MAX_EVENT_BYTES, default 32768).")
    var maxEventBytes: Int?
    @Option(help: "Largest request body in bytes (SLUICE_MAX_REQUEST_BYTES, default 524288).")
    var maxRequestBytes: Int?
    @Option(help: "Most events in one batch (SLUICE_MAX_BATCH_EVENTS, default 500).")
    var maxBatchEvents: Int?
    @Option(help: "Redis replicas that must confirm a request's entries (WAIT) before it is answered 202, else 503 (SLUICE_REPLICA_ACKS, default 0: none).")
    var replicaAcks: Int?
    @Option(help: "Milliseconds to wait for those replicas (SLUICE_REPLICA_ACK_TIMEOUT_MS, default 1000).")
    var replicaAckTimeoutMs: Int?
    @Option(help: "Log level: trace, debug, info, notice, warning, error (SLUICE_LOG_LEVEL, default info).")
    var logLevel: String?

    func run() async throws {
        let overrides: [String: String?] = [
            "SLUICE_REDIS_URL": redisURL, "SLUICE_INGEST_HOST": host, "SLUICE_INGEST_PORT": port.map(String.init),
            "SLUICE_PARTITIONS": partitions.map(String.init), "SLUICE_COOKIE_NAME": cookieName, "SLUICE_COOKIE_DOMAIN": cookieDomain,
            "SLUICE_BACKLOG_LIMIT": backlogLimit.map(String.init),
            "SLUICE_SITES": sites, "SLUICE_RATE_LIMIT_ADDRESS": rateLimitAddress, "SLUICE_ADDRESS_KEY": addressKey,
            "SLUICE_RATE_LIMIT_VISITOR": rateLimitVisitor, "SLUICE_RATE_LIMIT_SITE": rateLimitSite, "SLUICE_RATE_LIMIT_SERVER": rateLimitServer,
            "SLUICE_TRUSTED_PROXIES": trustedProxies, "SLUICE_PROXY_HEADER": proxyHeader, "SLUICE_IP_MODE": ipMode, "SLUICE_DNT": dnt,
            "SLUICE_COOKIELESS": cookieless,
            "SLUICE_REDACT": redact, "SLUICE_REDACT_PATTERNS": redactPatterns, "SLUICE_URL_SECRET_PARAMS": urlSecretParams,
            "SLUICE_REQUEST_TIMEOUT": requestTimeout.map(String.init),
            "SLUICE_MAX_CONNECTIONS": maxConnections.map(String.init), "SLUICE_ADMIN_TOKEN": adminToken,
            "SLUICE_MAX_EVENT_BYTES": maxEventBytes.map(String.init), "SLUICE_MAX_REQUEST_BYTES": maxRequestBytes.map(String.init),
            "SLUICE_MAX_BATCH_EVENTS": maxBatchEvents.map(String.init), "SLUICE_LOG_LEVEL": logLevel,
            "SLUICE_REPLICA_ACKS": replicaAcks.map(String.init), "SLUICE_REPLICA_ACK_TIMEOUT_MS": replicaAckTimeoutMs.map(String.init),
        ]
        let settings = Settings(environment: ProcessInfo.processInfo.environment, overrides: overrides.compactMapValues { $0 })
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
