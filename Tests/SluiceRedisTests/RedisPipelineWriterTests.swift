import Logging
import ServiceLifecycle
import ServiceLifecycleTestKit
import SluiceRedis
import Testing

/// Group commit against a real Redis: each caller gets its own replies, in order,
/// its commands run together; shutdown returns only once everything queued is written;
/// a full queue, a stopped writer and an unreachable server are typed errors; the
/// service stops the writer on graceful shutdown.
@Suite struct RedisPipelineWriterTests {
    private let logger = Logger(label: "sluice.test.writer")

    /// Starts `writer`, runs `body`, then shuts the writer down, also when `body` throws.
    private func whileRunning<Value>(_ writer: RedisPipelineWriter, _ body: () async throws -> Value) async throws -> Value {
        writer.start()
        do {
            let value = try await body()
            await writer.shutdown()
            return value
        } catch {
            await writer.shutdown()
            throw error
        }
    }

    @Test func concurrentCallersEachGetTheirOwnRepliesAndRunUninterrupted() async throws {
        let redis = try RedisTestDatabase.fresh()
        let writer = RedisPipelineWriter(endpoint: redis.endpoint, logger: logger)
        let callers = 200
        let answers = try await whileRunning(writer) {
            try await withThrowingTaskGroup(of: (Int, [RedisReply]).self) { group in
                for caller in 0..<callers {
                    group.addTask {
                        let replies = try await writer.execute([
                            RedisCommand("SET", "value:\(caller)", "v\(caller)"), RedisCommand("RPUSH", "log", "\(caller)-a"),
                            RedisCommand("RPUSH", "log", "\(caller)-b"), RedisCommand("GET", "value:\(caller)"),
                        ])
                        return (caller, replies)
                    }
                }
                return try await group.reduce(into: [Int: [RedisReply]]()) { $0[$1.0] = $1.1 }
            }
        }
        #expect(answers.count == callers)
        for (caller, replies) in answers {
            #expect(replies.count == 4 && replies[0] == .status("OK") && replies[3].text == "v\(caller)", "caller \(caller): \(replies)")
        }
        // One caller's commands go out back to back in one pipeline: its two pushes sit side by side.
        let log = try (redis.run("LRANGE", "log", "0", "-1").elements ?? []).compactMap(\.text)
        #expect(log.count == 2 * callers)
        for index in stride(from: 0, to: log.count, by: 2) {
            #expect(log[index].hasSuffix("-a") && log[index + 1] == log[index].dropLast(2) + "-b", "\(log[index]), \(log[index + 1])")
        }
        #expect(try await writer.execute([]).isEmpty, "no commands: no round trip, no replies")
    }

    @Test func shutdownReturnsOnlyOnceEveryQueuedCommandIsWritten() async throws {
        let redis = try RedisTestDatabase.fresh()
        let writer = RedisPipelineWriter(endpoint: redis.endpoint, logger: logger)
        let callers = 100
        let (callersStarting, callerStarts) = AsyncStream.makeStream(of: Void.self)
        let (writtenAtShutdown, accepted) = try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<callers {
                group.addTask {
                    callerStarts.yield()
                    do {
                        _ = try await writer.execute([RedisCommand("RPUSH", "log", "\(index)")])
                        return true
                    } catch RedisError.shutDown {
                        return false  // reached the writer after shutdown began: refused, so never written
                    }
                }
            }
            // The thread starts only once every caller is on its way: shutdown finds their commands queued.
            var starting = callersStarting.makeAsyncIterator()
            for _ in 0..<callers { await starting.next() }
            writer.start()
            await writer.shutdown()
            let written = try redis.run("LLEN", "log").integer
            return (written, try await group.reduce(into: 0) { $0 += $1 ? 1 : 0 })
        }
        #expect(accepted > 0, "no command reached the writer before shutdown")
        #expect(writtenAtShutdown == Int64(accepted), "shutdown returned before every accepted command was written")
    }

    @Test func commandsPastTheQueueBoundAreRefusedWithQueueFull() async throws {
        let redis = try RedisTestDatabase.fresh()
        let writer = RedisPipelineWriter(endpoint: redis.endpoint, logger: logger, maxQueuedCommands: 3)
        let tooMany = (0..<4).map { RedisCommand("INCR", "counter\($0)") }
        try await whileRunning(writer) {
            do throws(RedisError) {
                _ = try await writer.execute(tooMany)
                Issue.record("four commands were queued past a bound of three")
            } catch {
                guard case .queueFull(let limit) = error else { throw error }
                #expect(limit == 3 && "\(error)".contains("queue is full"))
            }
            #expect(try redis.run("KEYS", "counter*").elements?.isEmpty == true, "a refused request left writes behind")
            // Within the bound the writer carries on.
            #expect(try await writer.execute(Array(tooMany.prefix(3))).map(\.integer) == [1, 1, 1])
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func aShutdownBeforeTheThreadStartsFailsWhatWasQueuedInsteadOfLeavingItWaiting() async throws {
        let redis = try RedisTestDatabase.fresh()
        let writer = RedisPipelineWriter(endpoint: redis.endpoint, logger: logger)
        // Requests can reach ingest before its service group has started the writer.
        let early = Task { try await writer.execute([RedisCommand("INCR", "early")]) }
        // Time for the task to queue its command (queued or refused, it must not wait for ever).
        try await Task.sleep(for: .milliseconds(300))
        await writer.shutdown()
        switch await early.result {
        case .success: Issue.record("a command queued before start was answered without a writer thread")
        case .failure(let error):
            guard case .shutDown? = error as? RedisError else { throw error }
        }
        #expect(try redis.run("EXISTS", "early").integer == 0)
    }

    @Test func aStoppedWriterAndAnUnreachableServerAreTypedErrors() async throws {
        let redis = try RedisTestDatabase.fresh()
        let writer = RedisPipelineWriter(endpoint: redis.endpoint, logger: logger)
        writer.start()
        #expect(try await writer.execute([RedisCommand("PING")]) == [.status("PONG")])
        await writer.shutdown()
        do throws(RedisError) {
            _ = try await writer.execute([RedisCommand("PING")])
            Issue.record("a shut-down writer took a command")
        } catch {
            guard case .shutDown = error else { throw error }
        }

        // Port 1 on the loopback: nothing listens there.
        let nowhere = RedisPipelineWriter(endpoint: try RedisEndpoint(url: "redis://127.0.0.1:1/0"), logger: logger)
        try await whileRunning(nowhere) {
            do throws(RedisError) {
                _ = try await nowhere.execute([RedisCommand("PING")])
                Issue.record("a PING to a closed port succeeded")
            } catch {
                guard case .connectFailed(let endpoint, _) = error else { throw error }
                #expect(endpoint == "127.0.0.1:1/0")
            }
        }
    }

    @Test func theServiceStopsItsWriterOnGracefulShutdown() async throws {
        let redis = try RedisTestDatabase.fresh()
        let writer = RedisPipelineWriter(endpoint: redis.endpoint, logger: logger)
        try await testGracefulShutdown { trigger in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await RedisWriterService(writer: writer).run() }
                // Queued until the service has started the writer, then answered.
                #expect(try await writer.execute([RedisCommand("SET", "served", "1")]) == [.status("OK")])
                trigger.triggerGracefulShutdown()
                try await group.waitForAll()
            }
        }
        #expect(try redis.run("GET", "served").text == "1")
        do throws(RedisError) {
            _ = try await writer.execute([RedisCommand("PING")])
            Issue.record("the writer still takes commands after the service ended")
        } catch {
            guard case .shutDown = error else { throw error }
        }
    }
}
