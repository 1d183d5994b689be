import Foundation
import SluiceCore
import SluiceRedis
import SluiceTestSupport
import Testing

/// A real `sluice-ingest` or `sluice-worker` process started from the built binaries,
/// its output in a log file that a failing test prints.
final class SluiceProcess: @unchecked Sendable {
    let name: String
    let logURL: URL
    private let process = Process()

    convenience init(binary: String, environment: TestEnvironment, settings: [String: String]) throws {
        try self.init(executable: URL(fileURLWithPath: environment.binDirectory).appendingPathComponent(binary), settings: settings)
    }

    /// Starts `executable` (a built binary, or a copy of one elsewhere) with `settings` added to this environment.
    init(executable: URL, settings: [String: String]) throws {
        let binary = executable.lastPathComponent
        name = binary
        logURL = FileManager.default.temporaryDirectory.appendingPathComponent("\(binary)-\(UUID().uuidString.prefix(8)).log")
        guard FileManager.default.createFile(atPath: logURL.path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: logURL.path])
        }
        let log = try FileHandle(forWritingTo: logURL)
        process.executableURL = executable
        process.environment = ProcessInfo.processInfo.environment.merging(settings) { _, new in new }
        process.standardOutput = log
        process.standardError = log
        try process.run()
    }

    var log: String { (try? String(contentsOf: logURL, encoding: .utf8)) ?? "" }
    var isRunning: Bool { process.isRunning }
    var pid: Int32 { process.processIdentifier }

    /// Sends a signal (SIGTERM for a graceful stop, SIGKILL for a crash) and waits for the exit.
    func stop(signal: Int32 = SIGTERM, timeout: Duration = .seconds(15)) async throws -> Int32 {
        if process.isRunning { kill(process.processIdentifier, signal) }
        let stopped = try await eventually(timeout: timeout, interval: .milliseconds(20)) { !process.isRunning }
        if !stopped {
            kill(process.processIdentifier, SIGKILL)
            Issue.record("\(name) did not exit within \(timeout) of signal \(signal); log:\n\(log)")
            process.waitUntilExit()
        }
        return process.terminationStatus
    }

    /// The port the process says it listens on (its log's `<name> listening on
    /// http://127.0.0.1:<port>`), once it has; nil when it exits or 20 s pass first.
    func listeningPort() async throws -> Int? {
        let banner = "\(name) listening on http://127.0.0.1:"
        var port: Int?
        _ = try await eventually(timeout: .seconds(20)) {
            let log = self.log
            if let range = log.range(of: banner) { port = Int(log[range.upperBound...].prefix { $0.isNumber }) }
            return port != nil || !self.isRunning
        }
        return port
    }

    /// Kills the process (SIGKILL) and waits for its exit.
    func end() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(at: logURL)
    }
}

/// An ingest and a worker wired to isolated Redis and MongoDB databases.
final class TestStack: @unchecked Sendable {
    /// The partitions every process of a stack is started with.
    static let partitions = 4
    /// The partition streams of a stack.
    static let streamKeys = StreamLayout.streamKeys(partitions: partitions)

    let environment: TestEnvironment
    let redisURL: String
    let mongoURL: String
    let ingest: SluiceProcess
    private(set) var worker: SluiceProcess?
    let ingestPort: Int
    let consumerName = "test-worker"

    private let workerSettings: [String: String]
    /// The database named for this stack, dropped with it; nil when the test passed its own URL.
    private let database: FreshMongoDatabase.Named?

    init(
        prefix: String, startWorker: Bool = true, mongoURL: String? = nil, redisURL: String? = nil,
        ingestSettings: [String: String] = [:], workerSettings: [String: String] = [:]
    ) async throws {
        self.workerSettings = workerSettings
        environment = try TestEnvironment.require()
        self.redisURL = try redisURL ?? environment.isolatedRedisURL()
        database = mongoURL == nil ? try FreshMongoDatabase.Named(prefix: prefix) : nil
        self.mongoURL = mongoURL ?? database!.url
        ingest = try SluiceProcess(
            binary: "sluice-ingest", environment: environment,
            settings: ["SLUICE_REDIS_URL": self.redisURL, "SLUICE_INGEST_PORT": "0", "SLUICE_PARTITIONS": String(Self.partitions)].merging(ingestSettings) {
                $1
            })
        ingestPort = try #require(try await ingest.listeningPort(), "sluice-ingest did not start listening; log:\n\(ingest.log)")
        if startWorker { try startWorkerProcess() }
    }

    /// Starts (or restarts) the worker under the same consumer name.
    func startWorkerProcess(batchSize: Int = 100) throws {
        worker = try SluiceProcess(
            binary: "sluice-worker", environment: environment,
            settings: [
                "SLUICE_REDIS_URL": redisURL, "SLUICE_MONGO_URL": mongoURL, "SLUICE_PARTITIONS": String(Self.partitions),
                "SLUICE_CONSUMER_NAME": consumerName, "SLUICE_BATCH_SIZE": String(batchSize), "SLUICE_BLOCK_MS": "200",
                "SLUICE_WORKER_PORT": "0", "SLUICE_FLUSH_INTERVAL": "1",
            ].merging(workerSettings) { $1 })
    }

    private var extraWorkers: [SluiceProcess] = []

    /// Starts one more worker under another consumer name (they share the group).
    func startExtraWorker(name: String) throws {
        extraWorkers.append(
            try SluiceProcess(
                binary: "sluice-worker", environment: environment,
                settings: [
                    "SLUICE_REDIS_URL": redisURL, "SLUICE_MONGO_URL": mongoURL, "SLUICE_PARTITIONS": String(Self.partitions),
                    "SLUICE_CONSUMER_NAME": name, "SLUICE_BLOCK_MS": "200", "SLUICE_WORKER_PORT": "0", "SLUICE_FLUSH_INTERVAL": "1",
                ].merging(workerSettings) { $1 }))
    }

    var baseURL: String { "http://127.0.0.1:\(ingestPort)" }

    /// True once the workers have read and acknowledged every entry appended so far
    /// (the group has delivered each stream's last entry and nothing is pending) and
    /// flushed every derived change (no partition's dirty set holds a key). Events are
    /// stored before their sessions, visitors and roll-ups are written behind, so a
    /// test that reads those waits for this rather than for the events alone.
    func workersAreIdle() throws -> Bool {
        let redis = try RedisConnection(endpoint: RedisEndpoint(url: redisURL))
        let dirty = try redis.pipeline((0..<Self.partitions).map { RedisCommand("ZCARD", StreamLayout.dirtyKey(partition: $0)) })
        guard dirty.allSatisfy({ $0.integer == 0 }) else { return false }
        let infos = try redis.pipeline(Self.streamKeys.flatMap { [StreamInfo.command(stream: $0), StreamGroupInfo.command(stream: $0)] })
        for index in stride(from: 0, to: infos.count, by: 2) {
            guard let stream = StreamInfo.decode(infos[index]) else { continue }
            guard let group = StreamGroupInfo.workers(in: infos[index + 1]), group.lastDeliveredID == stream.lastGeneratedID, group.pending == 0 else {
                return false
            }
        }
        return true
    }

    /// The entries in the partition streams, acknowledged or not.
    func queuedEntries() throws -> Int {
        let redis = try RedisConnection(endpoint: RedisEndpoint(url: redisURL))
        return try redis.pipeline(Self.streamKeys.map { RedisCommand("XLEN", $0) }).reduce(0) { $0 + Int($1.integer ?? 0) }
    }

    func stop() async throws {
        for extra in extraWorkers { _ = try await extra.stop() }
        if let worker { _ = try await worker.stop() }
        _ = try await ingest.stop()
    }

    deinit {
        // The processes end before the database is dropped, so none writes to it again.
        for process in extraWorkers + [worker, ingest].compactMap({ $0 }) { process.end() }
    }
}
