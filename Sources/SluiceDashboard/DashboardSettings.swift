import SluiceCore

/// Every setting `sluice-dashboard` reads, each declared once: its variable, flag, `--help`
/// text, default and range. `DashboardConfiguration` reads them, the command's flags and
/// help come from them, and the start-up summary names them. The settings it shares with
/// ingest or the workers keep their variable, flag and default, worded for the dashboard.
public enum DashboardSettings {
    /// `SLUICE_DASHBOARD_HOST`: honoured only with a token; without one the dashboard stays on loopback.
    public static let host = Setting.text(
        "SLUICE_DASHBOARD_HOST", flag: "host", help: "Address to listen on once a token is set; without one only 127.0.0.1",
        default: DashboardConfiguration.localHost)
    /// `SLUICE_DASHBOARD_PORT`.
    public static let port = Setting.number(
        "SLUICE_DASHBOARD_PORT", flag: "port", help: "Port to listen on; 0 picks a free one", default: 3007, range: 0...65535)
    /// `SLUICE_COOKIE_NAME`, as ingest sets it.
    public static let cookieName = Setting.cookieName.described("Name of ingest's visitor cookie, read by /current")
    /// `SLUICE_SITES`, ingest's file.
    public static let sites = Setting.sites.described(
        "Ingest's JSON sites file; its origins may ask /current from the browser", defaultPhrase: "default: none, any origin")
    /// `SLUICE_ADMIN_TOKEN`: here it locks every page and route but the login and `/current`.
    public static let adminToken = Setting.adminToken.described(
        "Token that every route but the login and /current requires, at least 16 characters; unset: open on 127.0.0.1 only")
    /// `SLUICE_DASHBOARD_CACHE_SECONDS`.
    public static let cacheSeconds = Setting.seconds(
        "SLUICE_DASHBOARD_CACHE_SECONDS", flag: "cache-seconds",
        help:
            "Seconds the report pages serve a read of roll-up buckets at most (open ones a minute at most), made again behind the views past half of it or once the site's are written; 0: never",
        default: 300, range: 0...86_400)
    /// `SLUICE_ROLLUP_WINDOW`, as the workers have it.
    public static let rollupWindow = Setting.rollupWindow.described(
        "The workers' roll-up window: a bucket is closed this many seconds after its end")
    /// `SLUICE_FUNNELS`, as the workers have it.
    public static let funnels = Setting.funnels.described(
        "The conversion funnels the workers count, as theirs, e.g. \"checkout: /pricing > auth/signup > payment/succeeded\"")

    /// Every setting, in the order `--help` lists the flags.
    public static let all: [Setting] = [
        .redisURL, .mongoURL, host, port, .partitions, cookieName, sites, adminToken, .logLevel, cacheSeconds, rollupWindow, funnels,
    ]
}
