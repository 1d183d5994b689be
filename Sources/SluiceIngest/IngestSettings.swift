import SluiceCore
import SluiceValidation

/// Every setting `sluice-ingest` reads, each declared once: its variable, flag, `--help`
/// text, default and range. `IngestConfiguration` reads them, the command's flags and help
/// come from them, and the start-up summary names them.
public enum IngestSettings {
    /// `SLUICE_INGEST_HOST`.
    public static let host = Setting.text("SLUICE_INGEST_HOST", flag: "host", help: "Address to listen on", default: "127.0.0.1")
    /// `SLUICE_INGEST_PORT`.
    public static let port = Setting.number(
        "SLUICE_INGEST_PORT", flag: "port", help: "Port to listen on; 0 picks a free one", default: 3005, range: 0...65535)
    /// `SLUICE_COOKIE_DOMAIN`.
    public static let cookieDomain = Setting.text(
        "SLUICE_COOKIE_DOMAIN", flag: "cookie-domain",
        help: "Domain of the visitor cookie, a parent domain shared by the site and ingest such as .example.com",
        defaultPhrase: "default: ingest's host only")
    /// `SLUICE_BACKLOG_LIMIT`.
    public static let backlogLimit = Setting.number(
        "SLUICE_BACKLOG_LIMIT", flag: "backlog-limit", help: "Entries waiting in the streams at which new events get 503", default: 1_000_000,
        range: 1...1_000_000_000)
    /// `SLUICE_RATE_LIMIT_ADDRESS`.
    public static let rateLimitAddress = Setting.text(
        "SLUICE_RATE_LIMIT_ADDRESS", flag: "rate-limit-address", help: "Token bucket per client address (IPv6: per /64), rate/burst or off",
        default: "1000/10000")
    /// `SLUICE_ADDRESS_KEY`.
    public static let addressKey = Setting.text(
        "SLUICE_ADDRESS_KEY", flag: "address-key", help: "Secret of the address buckets' keys, 32 hex digits, the same on every replica",
        defaultPhrase: "default a random key per process", isSecret: true)
    /// `SLUICE_RATE_LIMIT_VISITOR`.
    public static let rateLimitVisitor = Setting.text(
        "SLUICE_RATE_LIMIT_VISITOR", flag: "rate-limit-visitor", help: "Token bucket per visitor cookie, inside the address's, rate/burst or off",
        default: "100/1000")
    /// `SLUICE_RATE_LIMIT_SITE`.
    public static let rateLimitSite = Setting.text(
        "SLUICE_RATE_LIMIT_SITE", flag: "rate-limit-site", help: "Token bucket per site, rate/burst or off", default: "off")
    /// `SLUICE_RATE_LIMIT_SERVER`.
    public static let rateLimitServer = Setting.text(
        "SLUICE_RATE_LIMIT_SERVER", flag: "rate-limit-server",
        help: "Token bucket per site for its server keys, which skip the address bucket, rate/burst or off", default: "5000/50000")
    /// `SLUICE_TRUSTED_PROXIES`.
    public static let trustedProxies = Setting.text(
        "SLUICE_TRUSTED_PROXIES", flag: "trusted-proxies", help: "Comma-separated proxy addresses/CIDRs whose forwarding header is believed")
    /// `SLUICE_PROXY_HEADER`.
    public static let proxyHeader = Setting.text(
        "SLUICE_PROXY_HEADER", flag: "proxy-header", help: "The one header trusted proxies name the client in: x-forwarded-for or forwarded",
        default: PrivacyConfiguration.ProxyHeader.xForwardedFor.rawValue)
    /// `SLUICE_IP_MODE`.
    public static let ipMode = Setting.text(
        "SLUICE_IP_MODE", flag: "ip-mode", help: "Client address kept: anonymize, full or none", default: AddressRetention.anonymize.rawValue)
    /// `SLUICE_DNT`.
    public static let doNotTrack = Setting.text(
        "SLUICE_DNT", flag: "dnt", help: "Do Not Track / GPC handling: anonymous, drop or ignore",
        default: PrivacyConfiguration.DoNotTrackMode.anonymous.rawValue)
    /// `SLUICE_COOKIELESS`.
    public static let cookieless = Setting.text(
        "SLUICE_COOKIELESS", flag: "cookieless", help: "Cookieless visitor ids from a daily keyed hash: true or false", default: "false")
    /// `SLUICE_REDACT`.
    public static let redact = Setting.text(
        "SLUICE_REDACT", flag: "redact", help: "Personal data scrubbed before queuing: email,phone,card or none", default: "email,phone,card")
    /// `SLUICE_REDACT_PATTERNS`.
    public static let redactPatterns = Setting.text(
        "SLUICE_REDACT_PATTERNS", flag: "redact-patterns",
        help: "JSON file of extra named regular expressions to scrub, {\"patterns\": {\"name\": \"regex\"}}")
    /// `SLUICE_URL_SECRET_PARAMS`.
    public static let urlSecretParams = Setting.text(
        "SLUICE_URL_SECRET_PARAMS", flag: "url-secret-params",
        help: "Query parameters whose values are redacted in page URLs, referrers and endpoints, names with optional *",
        default: URLScrubber.defaultSecretParameters.joined(separator: ","), defaultPhrase: "default *token*,*secret*,…; none")
    /// `SLUICE_REQUEST_TIMEOUT`.
    public static let requestTimeout = Setting.seconds(
        "SLUICE_REQUEST_TIMEOUT", flag: "request-timeout", help: "Seconds a connection may take to deliver a whole request", default: 30,
        range: 1...3600)
    /// `SLUICE_MAX_CONNECTIONS`.
    public static let maxConnections = Setting.number(
        "SLUICE_MAX_CONNECTIONS", flag: "max-connections", help: "Open connections at most", default: 10_000, range: 1...1_000_000)
    /// `SLUICE_MAX_EVENT_BYTES`.
    public static let maxEventBytes = Setting.number(
        "SLUICE_MAX_EVENT_BYTES", flag: "max-event-bytes", help: "Largest event in bytes", default: 32_768, range: 1024...16_777_216)
    /// `SLUICE_MAX_REQUEST_BYTES`.
    public static let maxRequestBytes = Setting.number(
        "SLUICE_MAX_REQUEST_BYTES", flag: "max-request-bytes", help: "Largest request body in bytes", default: 524_288, range: 1024...67_108_864)
    /// `SLUICE_MAX_BATCH_EVENTS`.
    public static let maxBatchEvents = Setting.number(
        "SLUICE_MAX_BATCH_EVENTS", flag: "max-batch-events", help: "Most events in one batch", default: 500, range: 1...100_000)
    /// `SLUICE_REPLICA_ACKS`.
    public static let replicaAcks = Setting.number(
        "SLUICE_REPLICA_ACKS", flag: "replica-acks",
        help: "Redis replicas that must confirm a request's entries (WAIT) before it is answered 202, else 503", default: 0, range: 0...16,
        defaultPhrase: "default 0: none")
    /// `SLUICE_REPLICA_ACK_TIMEOUT_MS`.
    public static let replicaAckTimeoutMs = Setting.number(
        "SLUICE_REPLICA_ACK_TIMEOUT_MS", flag: "replica-ack-timeout-ms", help: "Milliseconds to wait for those replicas", default: 1000,
        range: 1...60_000)

    /// Every setting, in the order `--help` lists the flags.
    public static let all: [Setting] = [
        .redisURL, host, port, .partitions, .cookieName, cookieDomain, backlogLimit, .sites, rateLimitAddress, addressKey, rateLimitVisitor,
        rateLimitSite, rateLimitServer, trustedProxies, proxyHeader, ipMode, doNotTrack, cookieless, redact, redactPatterns, urlSecretParams,
        .adminToken, requestTimeout, maxConnections, maxEventBytes, maxRequestBytes, maxBatchEvents, replicaAcks, replicaAckTimeoutMs, .logLevel,
    ]
}
