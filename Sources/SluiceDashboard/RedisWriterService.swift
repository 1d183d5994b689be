import ServiceLifecycle
import SluiceRedis

/// Runs the Redis writer the live routes read through, for the life of the service group;
/// it stops after the HTTP server has drained (services stop in reverse order), or at once
/// when the group is cancelled.
struct RedisWriterService: Service {
    let writer: RedisPipelineWriter

    /// Starts the writer, waits for shutdown or cancellation, then stops it.
    func run() async throws {
        writer.start()
        try? await gracefulShutdown()
        writer.shutdown()
    }
}
