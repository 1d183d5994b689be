import Foundation
import SluiceCore
import SluiceRedis
import SluiceValidation

/// Everything `sluice-ingest` can be told, built from `SLUICE_*` variables and flags
/// (each declared once in `IngestSettings` or, shared with other processes, in `Setting`).
public struct IngestConfiguration: Sendable {
    private typealias S = IngestSettings

    /// `SLUICE_REDIS_URL`: where the streams live.
    public var redisURL: String
    /// `SLUICE_INGEST_HOST`: address to listen on (default 127.0.0.1; 0.0.0.0 behind a load balancer).
    public var host: String
    /// `SLUICE_INGEST_PORT`: port to listen on (default 3005; 0 picks a free one).
    public var port: Int
    /// `SLUICE_PARTITIONS`: number of `events:{p}` streams (default 4); must match the workers'.
    public var partitions: Int
    /// `SLUICE_COOKIE_NAME`: the visitor cookie (default `sluice_visitor`).
    public var cookieName: String
    /// `SLUICE_COOKIE_DOMAIN`: the visitor cookie's `Domain`, a parent domain shared by
    /// the site and ingest (`.example.com`); nil (default) keeps it on ingest's host.
    public var cookieDomain: String?
    /// `SLUICE_BACKLOG_LIMIT`: entries waiting in the streams (undelivered plus
    /// unacknowledged) at which ingest answers 503 (default 1,000,000).
    public var backlogLimit: Int
    /// `SLUICE_SITES`: the sites file (write keys, origins); nil runs open.
    public var sitesPath: String?
    /// The sites loaded from `sitesPath`.
    public var sites: SiteRegistry?
    /// Privacy settings: IP mode, Do Not Track, cookieless mode, redaction, trusted proxies.
    public var privacy: PrivacyConfiguration
    /// `SLUICE_RATE_LIMIT_ADDRESS`: events per second and burst per client address (IPv6: per /64); default 1000/10000.
    public var addressRateLimit: RateLimit?
    /// `SLUICE_RATE_LIMIT_VISITOR`: events per second and burst per visitor cookie, inside the address's; default 100/1000.
    public var visitorRateLimit: RateLimit?
    /// `SLUICE_RATE_LIMIT_SERVER`: events per second and burst per site from its server keys,
    /// which skip the address bucket; default 5000/50000.
    public var serverRateLimit: RateLimit?
    /// `SLUICE_RATE_LIMIT_SITE`: events per second and burst per site; default off.
    public var siteRateLimit: RateLimit?
    /// `SLUICE_ADMIN_TOKEN`: required by routes that read aggregate or other people's data; unset leaves them open.
    public var adminToken: String?
    /// `SLUICE_ADDRESS_KEY`: the secret of the address buckets' keys.
    var addressHashKey: AddressHashKey
    /// `SLUICE_REQUEST_TIMEOUT`: seconds a connection may take to deliver a whole request (default 30).
    public var requestTimeoutSeconds: Int
    /// `SLUICE_MAX_CONNECTIONS`: open connections at most; past it new ones wait in the backlog (default 10000).
    public var maxConnections: Int
    /// `SLUICE_MAX_EVENT_BYTES`, `SLUICE_MAX_REQUEST_BYTES`, `SLUICE_MAX_BATCH_EVENTS`.
    public var limits: EventLimits
    /// `SLUICE_REPLICA_ACKS` and `SLUICE_REPLICA_ACK_TIMEOUT_MS`: replicas that must confirm
    /// a request's entries before it is answered 202 (default 0: none, no `WAIT`).
    public var replicaAcknowledgement: ReplicaAcknowledgement?
    /// `SLUICE_LOG_LEVEL`: the least severe level logged (default `info`), as `makeLogger` reads it.
    public var logLevel: String

    /// Reads the configuration; unset settings take their documented defaults.
    public init(settings: Settings) throws(ConfigurationError) {
        logLevel = settings.string(Setting.logLevel).lowercased()
        redisURL = settings.redisURL
        host = settings.string(S.host)
        port = try settings.number(S.port)
        partitions = try settings.partitions()
        cookieName = settings.string(Setting.cookieName)
        backlogLimit = try settings.number(S.backlogLimit)
        limits = EventLimits(
            maxEventBytes: try settings.number(S.maxEventBytes),
            maxRequestBytes: try settings.number(S.maxRequestBytes),
            maxBatchEvents: try settings.number(S.maxBatchEvents))
        privacy = try PrivacyConfiguration(settings: settings)
        addressRateLimit = try RateLimit.parse(settings.string(S.rateLimitAddress), variable: S.rateLimitAddress.variable)
        visitorRateLimit = try RateLimit.parse(settings.string(S.rateLimitVisitor), variable: S.rateLimitVisitor.variable)
        siteRateLimit = try RateLimit.parse(settings.string(S.rateLimitSite), variable: S.rateLimitSite.variable)
        serverRateLimit = try RateLimit.parse(settings.string(S.rateLimitServer), variable: S.rateLimitServer.variable)
        cookieDomain = settings.optionalString(S.cookieDomain)?.lowercased()
        if let cookieDomain, !Self.isCookieDomain(cookieDomain) {
            throw ConfigurationError(
                variable: S.cookieDomain.variable, value: cookieDomain,
                expected: "a parent domain of ingest's host such as .example.com (letters, digits, '-' and '.')")
        }
        addressHashKey = try AddressHashKey(settings: settings)
        adminToken = settings.optionalString(Setting.adminToken)
        if let adminToken, adminToken.utf8.count < 16 {
            throw ConfigurationError(variable: Setting.adminToken.variable, value: maskedSecret(adminToken), expected: "at least 16 characters")
        }
        requestTimeoutSeconds = try settings.number(S.requestTimeout)
        maxConnections = try settings.number(S.maxConnections)
        replicaAcknowledgement = try Self.replicaAcknowledgement(settings)
        sitesPath = settings.optionalString(Setting.sites)
        if let sitesPath {
            guard let contents = FileManager.default.contents(atPath: sitesPath) else {
                throw ConfigurationError(variable: Setting.sites.variable, value: sitesPath, expected: "a readable sites file")
            }
            sites = try SiteRegistry(json: Array(contents), source: sitesPath)
        }
        guard cookieName.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && !"()<>@,;:\\\"/[]?={}".utf8.contains($0) }), !cookieName.isEmpty else {
            throw ConfigurationError(variable: Setting.cookieName.variable, value: cookieName, expected: "a cookie name (letters, digits, _ and -)")
        }
    }

    /// The effective configuration as printed at start-up, secrets masked.
    public var summary: [(String, String)] {
        [
            (Setting.redisURL.variable, maskedURL(redisURL)),
            (S.host.variable, host),
            (S.port.variable, String(port)),
            (Setting.partitions.variable, String(partitions)),
            (Setting.cookieName.variable, cookieName),
            (S.cookieDomain.variable, cookieDomain ?? "(none: ingest's host only)"),
            (S.backlogLimit.variable, String(backlogLimit)),
            (Setting.sites.variable, sitesPath.map { "\($0) (\(sites?.sites.count ?? 0) sites, read again on SIGHUP)" } ?? "(none: open to any caller)"),
            (S.rateLimitAddress.variable, addressRateLimit.map { "\($0.rate)/\($0.burst)" } ?? "off"),
            (S.addressKey.variable, addressHashKey.summary),
            (S.rateLimitVisitor.variable, visitorRateLimit.map { "\($0.rate)/\($0.burst)" } ?? "off"),
            (S.rateLimitSite.variable, siteRateLimit.map { "\($0.rate)/\($0.burst)" } ?? "off"),
            (S.rateLimitServer.variable, serverRateLimit.map { "\($0.rate)/\($0.burst)" } ?? "off"),
            (Setting.adminToken.variable, maskedSecret(adminToken)),
            (S.requestTimeout.variable, String(requestTimeoutSeconds)),
            (S.maxConnections.variable, String(maxConnections)),
            (S.maxEventBytes.variable, String(limits.maxEventBytes)),
            (S.maxRequestBytes.variable, String(limits.maxRequestBytes)),
            (S.maxBatchEvents.variable, String(limits.maxBatchEvents)),
            (S.replicaAcks.variable, replicaAcknowledgement.map { "\($0.replicas) (else 503)" } ?? "0 (answer once the master has the entries)"),
            (S.replicaAckTimeoutMs.variable, replicaAcknowledgement.map { "\($0.timeoutMilliseconds) (WAIT)" } ?? "(unused: no replica must confirm)"),
            (Setting.logLevel.variable, logLevel),
        ] + privacy.summary
    }

    /// `SLUICE_REPLICA_ACKS` with `SLUICE_REPLICA_ACK_TIMEOUT_MS`; nil when no replica must confirm.
    private static func replicaAcknowledgement(_ settings: Settings) throws(ConfigurationError) -> ReplicaAcknowledgement? {
        let replicas = try settings.number(S.replicaAcks)
        let timeout = try settings.number(S.replicaAckTimeoutMs)
        return replicas == 0 ? nil : ReplicaAcknowledgement(replicas: replicas, timeoutMilliseconds: timeout)
    }

    /// Whether `domain` can be a cookie's `Domain`: dot-separated labels of letters,
    /// digits and `-`, with at least two labels (a lone `.com` would be a public suffix).
    static func isCookieDomain(_ domain: String) -> Bool {
        let labels = (domain.hasPrefix(".") ? domain.dropFirst() : domain[...]).split(separator: ".", omittingEmptySubsequences: false)
        return labels.count >= 2 && domain.utf8.count <= 253
            && labels.allSatisfy { label in
                !label.isEmpty && label.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }
            }
    }
}
