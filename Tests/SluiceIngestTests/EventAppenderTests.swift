import Logging
import SluiceCore
import SluiceRedis
import SluiceValidation
import Testing

@testable import SluiceIngest

/// The appender fails with the writer's typed `RedisError`, not a string, so ingest
/// tells a full writer queue from Redis being unreachable or refusing the append.
@Suite struct EventAppenderTests {
    private let logger = Logger(label: "sluice.test.appender")
    /// Port 1 on the loopback: nothing listens there.
    private let nowhere = "redis://127.0.0.1:1/0"

    @Test func aFullWriterQueueIsQueueFull() async throws {
        let writer = RedisPipelineWriter(endpoint: try RedisEndpoint(url: nowhere), logger: logger, maxQueuedCommands: 1)
        let failure = await failure(appending: try events(2), through: writer)
        guard case .queueFull(let limit)? = failure else {
            Issue.record("two events past a one-command queue: \(String(describing: failure))")
            return
        }
        #expect(limit == 1)
    }

    @Test func anUnreachableRedisIsConnectFailed() async throws {
        let writer = RedisPipelineWriter(endpoint: try RedisEndpoint(url: nowhere), logger: logger)
        let failure = await failure(appending: try events(1), through: writer)
        guard case .connectFailed(let endpoint, _)? = failure else {
            Issue.record("an append to a closed port: \(String(describing: failure))")
            return
        }
        #expect(endpoint == "127.0.0.1:1/0")
    }

    @Test func anErrorReplyToAnXADDIsCommandFailedWithRedisWords() async throws {
        let bed = try IngestTestBed.fresh()
        // A string where every partition stream should be: each XADD answers WRONGTYPE.
        let redis = try bed.redis()
        for stream in StreamLayout.streamKeys(partitions: IngestTestBed.partitions) { _ = try redis.run(RedisCommand("SET", stream, "not a stream")) }
        let writer = RedisPipelineWriter(endpoint: try RedisEndpoint(url: bed.databaseURL), logger: logger)
        let failure = await failure(appending: try events(1), through: writer)
        guard case .commandFailed(let command, let message)? = failure else {
            Issue.record("an XADD onto a string: \(String(describing: failure))")
            return
        }
        #expect(command == "XADD" && message.hasPrefix("WRONGTYPE"), "\(message)")
    }

    /// `count` valid tool events from one visitor.
    private func events(_ count: Int) throws -> [ValidatedEvent] {
        let stamp = RequestStamp(receivedAt: 1_795_608_000_000, ip: nil, userAgent: nil, cookieVisitorId: "visitor-1")
        let body = try JSONParser.parse(#"{"toolName":"calculator"}"#)
        return try (0..<count).map { _ in try EventValidator().validate(body, kind: .tool, stamp: stamp).get() }
    }

    /// What appending `events` without rate limits through a started `writer` fails
    /// with, nil if it succeeds; the writer is shut down afterwards.
    private func failure(appending events: [ValidatedEvent], through writer: RedisPipelineWriter) async -> RedisError? {
        writer.start()
        let appender = EventAppender(writer: writer, partitions: IngestTestBed.partitions)
        let failure: RedisError?
        do throws(RedisError) {
            _ = try await appender.append(events, charging: nil)
            failure = nil
        } catch {
            failure = error
        }
        await writer.shutdown()
        return failure
    }
}
