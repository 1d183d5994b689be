import Hummingbird
import Logging
import SluiceCore

/// Builds the worker process: the consumer service plus a small HTTP server for
/// `/healthz` (alive), `/readyz` (MongoDB answers) and `/metrics`. The executable and
/// the tests both call this.
public func buildWorkerApplication(configuration: WorkerConfiguration, logger: Logger) -> some ApplicationProtocol {
    let metrics = WorkerMetrics()
    let readiness = StoreReadiness(mongoURL: configuration.mongoURL, metrics: metrics, logger: logger)
    let router = Router()
    router.get("healthz") { _, _ in
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"status":"ok"}"#)))
    }
    router.get("readyz") { _, _ in
        guard let problem = readiness.problem() else {
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"status":"ready"}"#)))
        }
        let body = JSONObject([("status", .string("unavailable")), ("problem", .string(problem))])
        return Response(
            status: .serviceUnavailable, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: JSONWriter.bytes(of: .object(body)))))
    }
    router.get("metrics") { _, _ in
        Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: metrics.registry.emitToBuffer())))
    }
    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.metricsHost, port: configuration.metricsPort), serverName: "sluice-worker"),
        services: [WorkerService(configuration: configuration, metrics: metrics, logger: logger, storeReachable: { readiness.problem() == nil }), readiness],
        onServerRunning: { channel in
            logger.info("sluice-worker metrics on http://\(configuration.metricsHost):\(channel.localAddress?.port ?? configuration.metricsPort)/metrics")
        },
        logger: logger)
}
