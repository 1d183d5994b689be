import Hummingbird
import Logging

/// Builds the worker process: the consumer service plus a small HTTP server for
/// `/healthz` and `/metrics`. The executable and the tests both call this.
public func buildWorkerApplication(configuration: WorkerConfiguration, logger: Logger) -> some ApplicationProtocol {
    let metrics = WorkerMetrics()
    let router = Router()
    router.get("healthz") { _, _ in
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"status":"ok"}"#)))
    }
    router.get("metrics") { _, _ in
        Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: metrics.registry.emitToBuffer())))
    }
    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.metricsHost, port: configuration.metricsPort), serverName: "sluice-worker"),
        services: [WorkerService(configuration: configuration, metrics: metrics, logger: logger)],
        onServerRunning: { channel in
            logger.info("sluice-worker metrics on http://\(configuration.metricsHost):\(channel.localAddress?.port ?? configuration.metricsPort)/metrics")
        },
        logger: logger)
}
