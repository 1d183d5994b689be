import Foundation
import SluiceCore
import SluiceRollups

/// Everything `sluice-dashboard` can be told, built from `SLUICE_*` variables and flags.
public struct DashboardConfiguration: Sendable {
    /// The host an open dashboard (no `SLUICE_ADMIN_TOKEN`) listens on, whatever `host` says.
    public static let localHost = "127.0.0.1"

    /// `SLUICE_REDIS_URL`: where the live counters and session keys are.
    public var redisURL: String
    /// `SLUICE_MONGO_URL`: where sessions, visitors and events are stored; the path names the database.
    public var mongoURL: String
    /// `SLUICE_DASHBOARD_HOST`: address to listen on when a token is set (default 127.0.0.1;
    /// 0.0.0.0 behind a proxy). Without a token only a loopback address is accepted.
    public var host: String
    /// `SLUICE_DASHBOARD_PORT`: port to listen on (default 3007; 0 picks a free one).
    public var port: Int
    /// `SLUICE_PARTITIONS`: number of `events:{p}` streams (default 4); must match ingest's and the workers'.
    public var partitions: Int
    /// `SLUICE_COOKIE_NAME`: ingest's visitor cookie, which `/current` reads (default `sluice_visitor`).
    public var cookieName: String
    /// `SLUICE_ADMIN_TOKEN`: locks every route but the login page and `/current`; nil leaves
    /// the dashboard open on loopback only.
    public var adminToken: String?
    /// `SLUICE_SITES`: ingest's sites file; its origins are the pages that may ask `/current`
    /// from the browser (nil: any page, as ingest without a sites file).
    public var sitesPath: String?
    /// The sites loaded from `sitesPath`.
    public var sites: SiteRegistry?
    /// `SLUICE_LOG_LEVEL`: the least severe level logged (default `info`), as `makeLogger` reads it.
    public var logLevel: String
    /// `SLUICE_DASHBOARD_CACHE_SECONDS`: how long the report pages reuse a read of closed
    /// roll-up buckets (default 300; 0 reads every bucket every time). Only
    /// `sluicectl rollups rebuild` changes a closed bucket: a rebuild shows within this.
    public var reportCacheSeconds: Int
    /// `SLUICE_ROLLUP_WINDOW`: the workers' roll-up window (default 172800): a bucket is
    /// closed this many seconds after its end. Set it as the workers have it.
    public var rollupWindowSeconds: Int
    /// `SLUICE_FUNNELS`: the conversion funnels the workers count, which the funnels page
    /// shows (default: none). Set it as the workers have it.
    public var funnels: FunnelSettings
    /// The most events the session route answers (not a setting: tests lower it).
    var maxSessionEvents = SessionController.defaultMaxEvents

    /// The address actually listened on: `host` with a token, loopback without one.
    public var listenHost: String { adminToken == nil ? Self.localHost : host }

    /// Reads the configuration; unset settings take their documented defaults.
    public init(settings: Settings) throws(ConfigurationError) {
        redisURL = settings.redisURL
        mongoURL = settings.mongoURL
        host = settings.string("SLUICE_DASHBOARD_HOST", default: Self.localHost)
        port = try settings.integer("SLUICE_DASHBOARD_PORT", default: 3007, range: 0...65535)
        partitions = try settings.partitions()
        cookieName = settings.string("SLUICE_COOKIE_NAME", default: "sluice_visitor")
        adminToken = settings.optionalString("SLUICE_ADMIN_TOKEN")
        logLevel = settings.string("SLUICE_LOG_LEVEL", default: "info").lowercased()
        reportCacheSeconds = try settings.seconds("SLUICE_DASHBOARD_CACHE_SECONDS", default: 300, range: 0...86_400)
        rollupWindowSeconds = try settings.seconds("SLUICE_ROLLUP_WINDOW", default: 172_800, range: 3600...2_678_400)
        funnels = try FunnelSettings(settings: settings)
        if let adminToken, adminToken.utf8.count < 16 {
            throw ConfigurationError(variable: "SLUICE_ADMIN_TOKEN", value: maskedSecret(adminToken), expected: "at least 16 characters")
        }
        sitesPath = settings.optionalString("SLUICE_SITES")
        if let sitesPath {
            guard let contents = FileManager.default.contents(atPath: sitesPath) else {
                throw ConfigurationError(variable: "SLUICE_SITES", value: sitesPath, expected: "a readable sites file")
            }
            sites = try SiteRegistry(json: Array(contents), source: sitesPath)
        }
        if adminToken == nil, !["127.0.0.1", "localhost", "::1"].contains(host) {
            throw ConfigurationError(
                variable: "SLUICE_DASHBOARD_HOST", value: host,
                expected: "a loopback address (127.0.0.1) while SLUICE_ADMIN_TOKEN is unset: an open dashboard shows personal data, so set a token first")
        }
    }

    /// The effective configuration as printed at start-up, secrets masked.
    public var summary: [(String, String)] {
        [
            ("SLUICE_REDIS_URL", maskedURL(redisURL)),
            ("SLUICE_MONGO_URL", maskedURL(mongoURL)),
            ("SLUICE_DASHBOARD_HOST", adminToken == nil ? "\(Self.localHost) (open: no SLUICE_ADMIN_TOKEN, loopback only)" : host),
            ("SLUICE_DASHBOARD_PORT", String(port)),
            ("SLUICE_PARTITIONS", String(partitions)),
            ("SLUICE_COOKIE_NAME", cookieName),
            (
                "SLUICE_SITES",
                sitesPath.map {
                    "\($0) (\(sites?.sites.count ?? 0) sites: their origins may ask /current; the report pages' site selector, each site in its timeZone or UTC)"
                }
                    ?? "(none: any page may ask /current; reports of the unnamed site, in UTC unless tz= says otherwise)"
            ),
            ("SLUICE_ADMIN_TOKEN", adminToken == nil ? "(not set: open, local only)" : maskedSecret(adminToken)),
            ("SLUICE_LOG_LEVEL", logLevel),
            (FunnelSettings.variable, funnels.summary),
            (
                "SLUICE_DASHBOARD_CACHE_SECONDS",
                reportCacheSeconds == 0 ? "0 (every report reads every bucket)" : "\(reportCacheSeconds) (closed buckets' reads reused)"
            ),
            ("SLUICE_ROLLUP_WINDOW", "\(rollupWindowSeconds) (buckets closed this long after their end)"),
        ]
    }
}
