import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import SluiceCore
import SluiceIngest
import SluiceRedis
import SluiceTestSupport
import Testing

/// `buildIngestApplication` run in-process through HummingbirdTesting's router
/// client, on a flushed Redis database of its own.
///
/// Databases 256...287 are this target's (scripts/test.sh lists every target's range).
struct IngestTestBed: Sendable {
    /// The partitions the application is built with.
    static let partitions = 4

    let configuration: IngestConfiguration
    /// The test's own database (the application's, unless built with another Redis URL).
    let databaseURL: String

    private static let databases = RedisDatabasePool("SluiceIngestTests", 256..<288)

    /// A fresh database and a configuration with `settings` over the defaults; fails (never
    /// skips) without `SLUICE_TEST_REDIS_URL`. `redisURL` points the application elsewhere.
    static func fresh(_ settings: [String: String] = [:], redisURL: String? = nil) throws -> IngestTestBed {
        let url = try databases.fresh()
        let environment = ["SLUICE_REDIS_URL": redisURL ?? url, "SLUICE_PARTITIONS": String(partitions)].merging(settings) { $1 }
        return IngestTestBed(configuration: try IngestConfiguration(settings: Settings(environment: environment)), databaseURL: url)
    }

    /// A connection to the test's database.
    func redis() throws -> RedisConnection {
        try RedisConnection(endpoint: RedisEndpoint(url: databaseURL))
    }

    /// Builds the application and runs `test` against its router, its services (the
    /// Redis writer, the backlog monitor) running meanwhile.
    func test<Value: Sendable>(_ test: @Sendable (any TestClientProtocol) async throws -> Value) async throws -> Value {
        var logger = Logger(label: "sluice.test.ingest")
        logger.logLevel = .error
        return try await buildIngestApplication(configuration: configuration, logger: logger).test(.router, test)
    }

    /// The entries of every partition stream, decoded as the worker reads them.
    func entries() throws -> [StoredEntry] {
        let redis = try redis()
        return try StreamLayout.streamKeys(partitions: Self.partitions).flatMap { try entries(of: $0, on: redis) }
    }

    /// The entries of one stream, in stream order.
    private func entries(of stream: String, on redis: RedisConnection) throws -> [StoredEntry] {
        try StreamEntryReply.entries(in: redis.run(RedisCommand("XRANGE", stream, "-", "+"))).map { entry in
            let json = try #require(entry.value(StreamLayout.eventField), "no event field in \(entry)")
            let event = try #require(try JSONParser.parse(json).objectValue, "\(String(decoding: json, as: UTF8.self))")
            let version = entry.value(StreamLayout.versionField).map { String(decoding: $0, as: UTF8.self) }
            return StoredEntry(stream: stream, id: entry.id, version: version, event: event)
        }
    }

    /// One entry of a partition stream.
    struct StoredEntry {
        let stream: String
        let id: StreamID
        /// Field `StreamLayout.versionField`.
        let version: String?
        /// Field `StreamLayout.eventField`, the canonical event.
        let event: JSONObject

        /// The string member `name` of the event.
        func string(_ name: String) -> String? { event[name]?.stringValue }
    }
}

extension TestClientProtocol {
    /// POSTs `body` as JSON (or with `contentType`) to `/api/analytics/<route>`.
    func post(_ route: String, _ body: String, contentType: String? = "application/json", headers: HTTPFields = [:]) async throws -> TestResponse {
        try await post(route, bytes: Array(body.utf8), contentType: contentType, headers: headers)
    }

    /// POSTs raw bytes to `/api/analytics/<route>`.
    func post(_ route: String, bytes: [UInt8], contentType: String? = "application/json", headers: HTTPFields = [:]) async throws -> TestResponse {
        var headers = headers
        if let contentType { headers[.contentType] = contentType }
        return try await execute(uri: "/api/analytics/\(route)", method: .post, headers: headers, body: ByteBuffer(bytes: bytes))
    }
}

extension TestResponse {
    /// The body parsed as a JSON object; nil if it is not one.
    var json: JSONObject? { try? JSONParser.parse(Array(body.readableBytesView)).objectValue }

    /// The `details` of an error answer as (field, problem) pairs.
    var problems: [(field: String, problem: String)] {
        guard case .array(let details)? = json?["details"] else { return [] }
        return details.compactMap { detail in
            guard let field = detail.objectValue?["field"]?.stringValue, let problem = detail.objectValue?["problem"]?.stringValue else { return nil }
            return (field, problem)
        }
    }
}
