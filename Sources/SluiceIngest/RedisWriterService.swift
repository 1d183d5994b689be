import ServiceLifecycle
import SluiceRedis

/// Runs the group-commit writer for the life of the service group; on graceful
/// shutdown it stops after the HTTP server has drained (services stop in reverse order).
struct RedisWriterService: Service {
    let writer: RedisPipelineWriter

    func run() async throws {
        writer.start()
        try? await gracefulShutdown()
        writer.shutdown()
    }
}
