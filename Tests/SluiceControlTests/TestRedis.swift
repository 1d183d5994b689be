import Foundation
import SluiceCore
import SluiceRedis
import SluiceTestSupport
import Testing

@testable import SluiceControl

/// A Redis database of its own for one test, on the server the test command started.
///
/// Databases 40...63 and 320...351 are this target's; other test targets use others.
struct TestRedis {
    let url: String
    let connection: RedisConnection

    private static let databases = RedisDatabasePool("SluiceControlTests", 40..<64, 320..<352)

    /// Connects to a fresh, flushed database; fails (never skips) without `SLUICE_TEST_REDIS_URL`.
    static func fresh() throws -> TestRedis {
        let url = try databases.fresh()
        let connection = try RedisConnection(endpoint: RedisEndpoint(url: url))
        return TestRedis(url: url, connection: connection)
    }

    var queue: DeadLetterQueue { DeadLetterQueue(redis: connection) }

    /// When every seeded letter failed: 2024-05-01T10:00:00.000Z.
    static let failedAt: Int64 = 1_714_557_600_000

    /// Appends a dead letter laid out as the worker writes it: the original fields
    /// sorted (`e`, `v`), then `DeadLetterEntry`'s.
    @discardableResult
    func seed(
        id: String = "*", event: String? = nil, eventId: String = UUID().uuidString.lowercased(), type: String = "track",
        version: String? = "1", reason: String = "E11000 duplicate key", stream: String = StreamLayout.streamKey(partition: 0), deliveries: Int = 1
    ) throws -> String {
        var command = RedisCommand("XADD", StreamLayout.deadLetterStream, id)
        var fields: [(String, String)] = []
        fields.append(
            (StreamLayout.eventField, event ?? #"{"id":"\#(eventId)","type":"\#(type)","visitorId":"visitor-1","properties":{"plan":"pro","seats":[1,2]}}"#))
        if let version { fields.append((StreamLayout.versionField, version)) }
        let added = DeadLetterEntry(reason: reason, stream: stream, entryId: "1700000000000-0", deliveries: Int64(deliveries), failedAt: Self.failedAt)
        fields += added.fields.map { ($0.name, $0.value) }
        for (name, value) in fields {
            command.append(name)
            command.append(value)
        }
        return try #require(connection.run(command).text)
    }

    /// The number of entries in a stream.
    func length(_ stream: String) throws -> Int64 {
        try #require(connection.run(RedisCommand("XLEN", stream)).integer)
    }

    /// A stream's entries as (id, field → value).
    func entries(_ stream: String) throws -> [(id: String, fields: [String: String])] {
        try connection.streamEntries(stream).map { entry in
            let letter = DeadLetter(entry: entry)
            return (letter.id, Dictionary(uniqueKeysWithValues: letter.fields.map { ($0.name, String(decoding: $0.value, as: UTF8.self)) }))
        }
    }

    /// A MongoDB URL for this test's `deadletters`: a database named after the Redis database,
    /// so tests running at once never see each other's moved letters.
    var mongoURL: String {
        get throws {
            let base = try #require(
                ProcessInfo.processInfo.environment["SLUICE_TEST_MONGO_URL"], "SLUICE_TEST_MONGO_URL is not set: run the tests with `make test`")
            let server = base.split(separator: "?", maxSplits: 1)[0]
            return (server.hasSuffix("/") ? String(server.dropLast()) : String(server)) + "/sluicectl_redis"
                + (url.split(separator: "/").last.map(String.init) ?? "")
        }
    }

    /// Parses and runs a `sluicectl` command line against this database; `dead` commands
    /// also get this test's MongoDB unless the arguments name one.
    func run(_ arguments: [String]) throws {
        var command = try SluiceControlCommand.parseAsRoot(try connected(arguments))
        try command.run()
    }

    /// Runs the built `sluicectl` with `arguments` against this database, as `run` does,
    /// and returns what it printed on stdout; fails the test on a non-zero exit or any stderr.
    func output(of arguments: [String]) throws -> String {
        let bin = try #require(ProcessInfo.processInfo.environment["SLUICE_BIN_DIR"], "SLUICE_BIN_DIR is not set: run the tests with `make test`")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: bin).appendingPathComponent("sluicectl")
        process.arguments = try connected(arguments)
        // Piped, without COLUMNS: the table is not cut to a terminal's width.
        process.environment = ProcessInfo.processInfo.environment.filter { $0.key != "COLUMNS" }
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let printed = stdout.fileHandleForReading.readDataToEndOfFile()
        let warned = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        try #require(process.terminationStatus == 0 && warned.isEmpty, "sluicectl \(arguments) exited \(process.terminationStatus): \(warned)")
        return String(decoding: printed, as: UTF8.self)
    }

    /// `arguments` pointed at this database (and, for `dead`, at this test's MongoDB).
    private func connected(_ arguments: [String]) throws -> [String] {
        let mongo = arguments.first == "dead" && !arguments.contains("--mongo-url") ? ["--mongo-url", try mongoURL] : []
        return arguments + ["--redis-url", url] + mongo
    }
}
