import Hummingbird
import Logging
import NIOCore
import SluiceCore
import SluiceMongo
import SluiceRedis
import SluiceReports

/// Builds the dashboard's HTTP application; the executable and the tests both call this.
///
/// Routes sit in router groups by access: the open ones (the login, `/current`) on the
/// router itself, the JSON routes in `api` groups and the pages in `pages` groups, each
/// protected group behind an `AdminGate`. A new page adds its own group, with its path,
/// behind the same gate.
///
/// - Parameter onListening: called with the bound port once the server listens (useful with port 0).
public func buildDashboardApplication(
    configuration: DashboardConfiguration, logger: Logger, onListening: @escaping @Sendable (Int) async -> Void = { _ in }
) throws -> some ApplicationProtocol {
    let endpoint = try RedisEndpoint(url: configuration.redisURL)
    StreamLayout.usePartitionTags(endpoint.partitionTags(partitions: configuration.partitions))
    let writer = RedisPipelineWriter(endpoint: endpoint, logger: logger)
    let store = DashboardStore(store: try MongoStore(url: configuration.mongoURL, appName: "sluice-dashboard", logger: logger), logger: logger)
    let access = DashboardAccess(token: configuration.adminToken, logins: LoginSessions())
    if access.isOpen {
        logger.warning("no SLUICE_ADMIN_TOKEN: the dashboard is open to anyone who can reach it, so it listens on \(DashboardConfiguration.localHost) only")
    }

    // The pages' shared frame and the sites their selector offers (each page uses both).
    let layout = PageLayout(isOpen: access.isOpen)
    let sites = try DashboardSites(configuration: configuration)

    let router = Router()
    // Before every route: routes take the router's middleware when they are added.
    router.add(middleware: ServerTiming())
    let live = LiveController(reads: LiveReads(writer: writer, partitions: configuration.partitions), cookieName: configuration.cookieName, logger: logger)
    let login = LoginController(access: access)
    login.addLoginRoutes(to: router)
    live.addCurrentRoute(to: router.group("api/analytics/analytics").add(middleware: VisitorOriginPolicy(sites: configuration.sites)))

    let api = router.group("api/analytics/analytics").add(middleware: AdminGate(access: access, refusal: .json))
    live.addRealtimeRoute(to: api)
    VisitorController(store: store).addRoutes(to: api)
    SessionController(store: store, maxEvents: configuration.maxSessionEvents).addRoutes(to: api)

    let pages = router.group().add(middleware: AdminGate(access: access, refusal: .loginPage))
    login.addLogoutRoute(to: pages)
    HealthController().addRoutes(to: router.group().add(middleware: AdminGate(access: access, refusal: .json)))

    // The report pages: each at its path, with its JSON and CSV under api/dashboard.
    let reportsAPI = router.group("api/dashboard").add(middleware: AdminGate(access: access, refusal: .json))
    let cache =
        configuration.reportCacheSeconds == 0
        ? nil : RollupCache(lifetimeSeconds: configuration.reportCacheSeconds, windowSeconds: configuration.rollupWindowSeconds, logger: logger)
    let runner = ReportRunner(store: store.store, redis: RedisConnectionPool(endpoint: endpoint), cache: cache, logger: logger)
    let reportPages: [(DashboardPage, ReportPageController.Builder)] = [
        (.overview, OverviewPage.view), (.chats, ChatsPage.view), (.tools, ToolsPage.view), (.lab, LabPage.view),
        (.performance, PerformancePage.view), (.funnels, FunnelsPage.builder(configuration.funnels)),
    ]
    for (page, build) in reportPages {
        let funnels = page == .funnels ? configuration.funnels.funnels.map(\.name) : []
        ReportPageController(page: page, layout: layout, sites: sites, runner: runner, build: build, funnels: funnels).addRoutes(pages: pages, api: reportsAPI)
    }
    let dashboardAPI = router.group("api/dashboard").add(middleware: AdminGate(access: access, refusal: .json))
    RealtimeController(reads: LiveReads(writer: writer, partitions: configuration.partitions), layout: layout, logger: logger).addRoutes(
        pages: pages, api: dashboardAPI)
    JourneyController(store: store, layout: layout, maxEvents: configuration.maxSessionEvents).addRoutes(pages: pages, api: dashboardAPI)

    return Application(
        router: router,
        // Small header limits (the dashboard reads only a login form) and an idle timeout.
        server: .http1(
            configuration: .init(
                idleTimeout: .seconds(60),
                httpDecoderConfiguration: .init(maxHeaderFieldSize: 16 * 1024, maxHeaderListSize: 32 * 1024, maxHeaderFieldCount: 100))),
        configuration: .init(address: .hostname(configuration.listenHost, port: configuration.port), serverName: "sluice-dashboard"),
        services: [RedisWriterService(writer: writer)],
        onServerRunning: { channel in
            let port = channel.localAddress?.port ?? configuration.port
            logger.info("sluice-dashboard listening on http://\(configuration.listenHost):\(port)")
            await onListening(port)
        },
        logger: logger)
}
