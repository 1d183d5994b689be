import Foundation
import SluiceCore
import SluiceRollups

/// Everything `sluice-dashboard` can be told, built from `SLUICE_*` variables and flags
/// (each declared once in `DashboardSettings` or, shared with other processes, in `Setting`).
public struct DashboardConfiguration: Sendable {
    private typealias S = DashboardSettings

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
        host = settings.string(S.host)
        port = try settings.number(S.port)
        partitions = try settings.partitions()
        cookieName = settings.string(S.cookieName)
        adminToken = settings.optionalString(S.adminToken)
        logLevel = settings.string(Setting.logLevel).lowercased()
        reportCacheSeconds = try settings.number(S.cacheSeconds)
        rollupWindowSeconds = try settings.number(S.rollupWindow)
        funnels = try FunnelSettings(settings: settings)
        if let adminToken, adminToken.utf8.count < 16 {
            throw ConfigurationError(variable: S.adminToken.variable, value: maskedSecret(adminToken), expected: "at least 16 characters")
        }
        sitesPath = settings.optionalString(S.sites)
        if let sitesPath {
            guard let contents = FileManager.default.contents(atPath: sitesPath) else {
                throw ConfigurationError(variable: S.sites.variable, value: sitesPath, expected: "a readable sites file")
            }
            sites = try SiteRegistry(json: Array(contents), source: sitesPath)
        }
        if adminToken == nil, !["127.0.0.1", "localhost", "::1"].contains(host) {
            throw ConfigurationError(
                variable: S.host.variable, value: host,
                expected: "a loopback address (127.0.0.1) while SLUICE_ADMIN_TOKEN is unset: an open dashboard shows personal data, so set a token first")
        }
    }

    /// The effective configuration as printed at start-up, secrets masked.
    public var summary: [(String, String)] {
        [
            (Setting.redisURL.variable, maskedURL(redisURL)),
            (Setting.mongoURL.variable, maskedURL(mongoURL)),
            (S.host.variable, adminToken == nil ? "\(Self.localHost) (open: no SLUICE_ADMIN_TOKEN, loopback only)" : host),
            (S.port.variable, String(port)),
            (Setting.partitions.variable, String(partitions)),
            (S.cookieName.variable, cookieName),
            (
                S.sites.variable,
                sitesPath.map {
                    "\($0) (\(sites?.sites.count ?? 0) sites: their origins may ask /current; the report pages' site selector, each site in its timeZone or UTC)"
                }
                    ?? "(none: any page may ask /current; reports of the unnamed site, in UTC unless tz= says otherwise)"
            ),
            (S.adminToken.variable, adminToken == nil ? "(not set: open, local only)" : maskedSecret(adminToken)),
            (Setting.logLevel.variable, logLevel),
            (S.funnels.variable, funnels.summary),
            (
                S.cacheSeconds.variable,
                reportCacheSeconds == 0 ? "0 (every report reads every bucket)" : "\(reportCacheSeconds) (closed buckets' reads reused)"
            ),
            (S.rollupWindow.variable, "\(rollupWindowSeconds) (buckets closed this long after their end)"),
        ]
    }
}
