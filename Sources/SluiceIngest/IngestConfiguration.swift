import Foundation
import SluiceCore
import SluiceRedis
import SluiceValidation

/// Everything `sluice-ingest` can be told, built from `SLUICE_*` variables and flags.
public struct IngestConfiguration: Sendable {
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

    /// Reads the configuration; unset settings take their documented defaults.
    public init(settings: Settings) throws(ConfigurationError) {
        redisURL = settings.redisURL
        host = settings.string("SLUICE_INGEST_HOST", default: "127.0.0.1")
        port = try settings.integer("SLUICE_INGEST_PORT", default: 3005, range: 0...65535)
        partitions = try settings.partitions()
        cookieName = settings.string("SLUICE_COOKIE_NAME", default: "sluice_visitor")
        backlogLimit = try settings.integer("SLUICE_BACKLOG_LIMIT", default: 1_000_000, range: 1...1_000_000_000)
        limits = EventLimits(
            maxEventBytes: try settings.integer("SLUICE_MAX_EVENT_BYTES", default: 32_768, range: 1024...16_777_216),
            maxRequestBytes: try settings.integer("SLUICE_MAX_REQUEST_BYTES", default: 524_288, range: 1024...67_108_864),
            maxBatchEvents: try settings.integer("SLUICE_MAX_BATCH_EVENTS", default: 500, range: 1...100_000))
        privacy = try PrivacyConfiguration(settings: settings)
        addressRateLimit = try RateLimit.parse(settings.string("SLUICE_RATE_LIMIT_ADDRESS", default: "1000/10000"), variable: "SLUICE_RATE_LIMIT_ADDRESS")
        visitorRateLimit = try RateLimit.parse(settings.string("SLUICE_RATE_LIMIT_VISITOR", default: "100/1000"), variable: "SLUICE_RATE_LIMIT_VISITOR")
        siteRateLimit = try RateLimit.parse(settings.string("SLUICE_RATE_LIMIT_SITE", default: "off"), variable: "SLUICE_RATE_LIMIT_SITE")
        serverRateLimit = try RateLimit.parse(settings.string("SLUICE_RATE_LIMIT_SERVER", default: "5000/50000"), variable: "SLUICE_RATE_LIMIT_SERVER")
        cookieDomain = settings.optionalString("SLUICE_COOKIE_DOMAIN")?.lowercased()
        if let cookieDomain, !Self.isCookieDomain(cookieDomain) {
            throw ConfigurationError(
                variable: "SLUICE_COOKIE_DOMAIN", value: cookieDomain,
                expected: "a parent domain of ingest's host such as .example.com (letters, digits, '-' and '.')")
        }
        addressHashKey = try AddressHashKey(settings: settings)
        adminToken = settings.optionalString("SLUICE_ADMIN_TOKEN")
        if let adminToken, adminToken.utf8.count < 16 {
            throw ConfigurationError(variable: "SLUICE_ADMIN_TOKEN", value: maskedSecret(adminToken), expected: "at least 16 characters")
        }
        requestTimeoutSeconds = try settings.seconds("SLUICE_REQUEST_TIMEOUT", default: 30, range: 1...3600)
        maxConnections = try settings.integer("SLUICE_MAX_CONNECTIONS", default: 10_000, range: 1...1_000_000)
        replicaAcknowledgement = try Self.replicaAcknowledgement(settings)
        sitesPath = settings.optionalString("SLUICE_SITES")
        if let sitesPath {
            guard let contents = FileManager.default.contents(atPath: sitesPath) else {
                throw ConfigurationError(variable: "SLUICE_SITES", value: sitesPath, expected: "a readable sites file")
            }
            sites = try SiteRegistry(json: Array(contents), source: sitesPath)
        }
        guard cookieName.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && !"()<>@,;:\\\"/[]?={}".utf8.contains($0) }), !cookieName.isEmpty else {
            throw ConfigurationError(variable: "SLUICE_COOKIE_NAME", value: cookieName, expected: "a cookie name (letters, digits, _ and -)")
        }
    }

    /// The effective configuration as printed at start-up, secrets masked.
    public var summary: [(String, String)] {
        [
            ("SLUICE_REDIS_URL", maskedURL(redisURL)),
            ("SLUICE_INGEST_HOST", host),
            ("SLUICE_INGEST_PORT", String(port)),
            ("SLUICE_PARTITIONS", String(partitions)),
            ("SLUICE_COOKIE_NAME", cookieName),
            ("SLUICE_COOKIE_DOMAIN", cookieDomain ?? "(none: ingest's host only)"),
            ("SLUICE_BACKLOG_LIMIT", String(backlogLimit)),
            ("SLUICE_SITES", sitesPath.map { "\($0) (\(sites?.sites.count ?? 0) sites, read again on SIGHUP)" } ?? "(none: open to any caller)"),
            ("SLUICE_RATE_LIMIT_ADDRESS", addressRateLimit.map { "\($0.rate)/\($0.burst)" } ?? "off"),
            ("SLUICE_ADDRESS_KEY", addressHashKey.summary),
            ("SLUICE_RATE_LIMIT_VISITOR", visitorRateLimit.map { "\($0.rate)/\($0.burst)" } ?? "off"),
            ("SLUICE_RATE_LIMIT_SITE", siteRateLimit.map { "\($0.rate)/\($0.burst)" } ?? "off"),
            ("SLUICE_RATE_LIMIT_SERVER", serverRateLimit.map { "\($0.rate)/\($0.burst)" } ?? "off"),
            ("SLUICE_ADMIN_TOKEN", maskedSecret(adminToken)),
            ("SLUICE_REQUEST_TIMEOUT", String(requestTimeoutSeconds)),
            ("SLUICE_MAX_CONNECTIONS", String(maxConnections)),
            ("SLUICE_MAX_EVENT_BYTES", String(limits.maxEventBytes)),
            ("SLUICE_MAX_REQUEST_BYTES", String(limits.maxRequestBytes)),
            ("SLUICE_MAX_BATCH_EVENTS", String(limits.maxBatchEvents)),
            (
                "SLUICE_REPLICA_ACKS",
                replicaAcknowledgement.map { "\($0.replicas) (WAIT up to \($0.timeoutMilliseconds) ms, else 503)" }
                    ?? "0 (answer once the master has the entries)"
            ),
        ] + privacy.summary
    }

    /// `SLUICE_REPLICA_ACKS` (0...16, default 0) with `SLUICE_REPLICA_ACK_TIMEOUT_MS`
    /// (1...60000, default 1000); nil when no replica must confirm.
    private static func replicaAcknowledgement(_ settings: Settings) throws(ConfigurationError) -> ReplicaAcknowledgement? {
        let replicas = try settings.integer("SLUICE_REPLICA_ACKS", default: 0, range: 0...16)
        let timeout = try settings.integer("SLUICE_REPLICA_ACK_TIMEOUT_MS", default: 1000, range: 1...60_000)
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
