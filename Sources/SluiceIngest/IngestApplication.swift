import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import SluiceCore
import SluiceRedis
import SluiceValidation

/// Builds the ingest HTTP application; the executable and the tests both call this.
///
/// - Parameter onListening: called with the bound port once the server listens
///   (useful with port 0).
public func buildIngestApplication(
    configuration: IngestConfiguration, logger: Logger, onListening: @escaping @Sendable (Int) async -> Void = { _ in }
) throws(RedisError) -> some ApplicationProtocol {
    let endpoint = try RedisEndpoint(url: configuration.redisURL)
    StreamLayout.usePartitionTags(endpoint.partitionTags(partitions: configuration.partitions))
    let writer = RedisPipelineWriter(endpoint: endpoint, logger: logger, replicaAcknowledgement: configuration.replicaAcknowledgement)
    let appender = EventAppender(writer: writer, partitions: configuration.partitions)
    let metrics = IngestMetrics()
    let salt = DailySalt(writer: writer)
    let limiter = RateLimiter(
        perSite: configuration.siteRateLimit, perAddress: configuration.addressRateLimit, perVisitor: configuration.visitorRateLimit,
        perServer: configuration.serverRateLimit, addressHashKey: configuration.addressHashKey)
    let backlog = BacklogMonitor(writer: writer, partitions: configuration.partitions, limit: configuration.backlogLimit, logger: logger)
    let sites = SiteDirectory(registry: configuration.sites, path: configuration.sites == nil ? nil : configuration.sitesPath)
    let access = SiteAccess(directory: sites)
    if configuration.sites == nil {
        logger.warning("no sites file (SLUICE_SITES): accepting events from any caller and any origin")
    }
    let router = Router(context: IngestRequestContext.self)
    router.add(middleware: CORSPolicy(sites: sites))
    TrackingController(
        configuration: configuration,
        validator: EventValidator(
            limits: configuration.limits,
            redactor: configuration.privacy.redaction.isEmpty && configuration.privacy.customRedaction.isEmpty
                ? nil : Redactor(kinds: configuration.privacy.redaction, custom: configuration.privacy.customRedaction),
            urlScrubber: configuration.privacy.urlScrubber),
        access: access, appender: appender, limiter: limiter, salt: salt, backlog: backlog, metrics: metrics
    )
    .addRoutes(to: router)
    HealthController(appender: appender, metrics: metrics).addRoutes(to: router)
    AnalyticsController(
        reads: LiveReads(writer: writer, partitions: configuration.partitions), cookieName: configuration.cookieName, adminToken: configuration.adminToken
    ).addRoutes(to: router)
    TrackerController().addRoutes(to: router)
    OpenAPIController().addRoutes(to: router)
    let deadline = TimeAmount.seconds(Int64(configuration.requestTimeoutSeconds))
    return Application(
        router: router,
        // Small header limits (events travel in bodies) and a whole-request deadline against slow clients.
        server: .http1(
            configuration: .init(
                additionalChannelHandlers: [RequestDeadlineHandler(deadline: deadline)], idleTimeout: deadline,
                httpDecoderConfiguration: .init(maxHeaderFieldSize: 16 * 1024, maxHeaderListSize: 32 * 1024, maxHeaderFieldCount: 100))),
        configuration: .init(
            address: .hostname(configuration.host, port: configuration.port), serverName: "sluice-ingest",
            availableConnectionsDelegate: MaximumAvailableConnections(configuration.maxConnections, logger: logger)),
        services: [RedisWriterService(writer: writer), backlog, SitesReloadService(directory: sites, logger: logger)]
            + (configuration.privacy.cookieless ? [salt] : []),
        onServerRunning: { channel in
            let port = channel.localAddress?.port ?? configuration.port
            logger.info("sluice-ingest listening on http://\(configuration.host):\(port)")
            await onListening(port)
        },
        logger: logger)
}
