import ServiceLifecycle

/// Runs a `RedisPipelineWriter` for the life of a service group (ingest's, the
/// dashboard's): it stops after the HTTP server has drained (services stop in reverse
/// order), or at once when the group is cancelled.
public struct RedisWriterService: Service {
    let writer: RedisPipelineWriter

    public init(writer: RedisPipelineWriter) {
        self.writer = writer
    }

    /// Starts the writer, waits for shutdown or cancellation, then stops it.
    public func run() async throws {
        writer.start()
        try? await gracefulShutdown()
        await writer.shutdown()
    }
}
