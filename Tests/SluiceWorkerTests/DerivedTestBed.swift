import Foundation
import Logging
import SluiceCore
import SluiceMongo
import SluiceRedis
import SluiceTestSupport
import SluiceUserAgent
import Testing

@testable import SluiceWorker

/// One stream partition (`events:{0}`, one partition in all) on a fresh Redis
/// database and a fresh MongoDB database of the servers the test command started,
/// with the worker's own steps: read as the `workers` group, decode, enrich, stitch
/// sessions, then `DerivedStep` and `DerivedFlusher`.
///
/// Redis databases 128...159 and 352...383 are this target's (scripts/test.sh starts Redis with 384).
final class DerivedTestBed {
    static let stream = StreamLayout.streamKey(partition: 0)
    let redis: RedisConnection
    let store: MongoStore
    let stitcher: SessionStitcher
    /// The step under test: tests that count funnels replace it with one that has them.
    var step = DerivedStep(rollupWindowSeconds: 7200, flushIntervalSeconds: 60)
    let enricher: EventEnricher

    private static let databases = RedisDatabasePool("SluiceWorkerTests", 128..<160, 352..<384)
    /// Loading compiles uap-core's rules: once per test process.
    private static let userAgents = Result { () throws(UserAgentError) in try CachedUserAgentParser(parser: UserAgentParser()) }

    private init(redis: RedisConnection, store: MongoStore, sessionTimeoutSeconds: Int) throws {
        self.redis = redis
        self.store = store
        stitcher = SessionStitcher(timeoutSeconds: sessionTimeoutSeconds, partitions: 1)
        enricher = EventEnricher(userAgents: try Self.userAgents.get(), maxEventAgeMilliseconds: 7 * 86_400_000)
    }

    /// Runs `body` with flushed Redis and MongoDB databases of its own (the MongoDB one
    /// dropped afterwards); fails (never skips) without the test command's servers.
    static func withFresh<R>(sessionTimeoutSeconds: Int = 60, _ body: (DerivedTestBed) throws -> R) throws -> R {
        let redis = try RedisConnection(endpoint: RedisEndpoint(url: try databases.fresh()))
        _ = try redis.run(RedisCommand("XGROUP", "CREATE", stream, StreamLayout.group, "0", "MKSTREAM"))
        return try FreshMongoDatabase.withStore(prefix: "sluiceworker", appName: "sluice-worker-tests") { store in
            try body(try DerivedTestBed(redis: redis, store: store, sessionTimeoutSeconds: sessionTimeoutSeconds))
        }
    }

    /// Appends events (JSON objects, as ingest writes them) and reads them back as the
    /// worker group's consumer `test`.
    func deliver(_ events: [String]) throws -> [StreamMessage] {
        let appended = try redis.pipeline(
            events.map { RedisCommand("XADD", Self.stream, "*", StreamLayout.versionField, StreamLayout.schemaVersion, StreamLayout.eventField, $0) })
        try #require(appended.allSatisfy { $0.errorMessage == nil }, "XADD: \(appended)")
        let reply = try redis.run(RedisCommand("XREADGROUP", "GROUP", StreamLayout.group, "test", "COUNT", "10000", "STREAMS", Self.stream, ">"))
        let messages = try StreamConsumer.parseRead(reply)
        try #require(messages.count == events.count, "read \(messages.count) of \(events.count) entries")
        return messages
    }

    /// Decodes and enriches `messages` and stitches sessions, as `BatchProcessor` does.
    func enrich(_ messages: [StreamMessage]) throws -> [EnrichedEvent] {
        var events = try messages.map { enricher.enrich(try DecodedEvent.decode($0).get()) }
        let needing = events.indices.filter { events[$0].session == nil && !events[$0].isBot && events[$0].kind != .feedback }
        let assignments = try stitcher.assign(needing.map { (events[$0].visitorId, events[$0].timestamp) }, on: redis)
        for (index, assignment) in zip(needing, assignments) { events[index].session = assignment }
        return events
    }

    /// Delivers `events` and runs the acknowledgement step over all of them; returns what it counted and the enriched events.
    @discardableResult
    func step(_ events: [String]) throws -> (outcome: DerivedStep.Outcome, messages: [StreamMessage], events: [EnrichedEvent]) {
        let messages = try deliver(events)
        let enriched = try enrich(messages)
        return (try acknowledge(messages, enriched), messages, enriched)
    }

    /// Runs the acknowledgement step over `messages`, counting `events`.
    func acknowledge(_ messages: [StreamMessage], _ events: [EnrichedEvent]) throws -> DerivedStep.Outcome {
        try step.acknowledge(messages, counting: events, stream: Self.stream, partition: 0, redis: redis, store: store)
    }

    /// A hash as field → text.
    func hash(_ key: String) throws -> [String: String] {
        try redis.run(RedisCommand("HGETALL", key)).fieldMap.compactMapValues(\.text)
    }

    /// The keys of `dirty:{0}`, sorted.
    func dirtyKeys() throws -> [String] {
        try (redis.run(RedisCommand("ZRANGE", StreamLayout.dirtyKey(partition: 0), "0", "-1")).elements ?? []).compactMap(\.text).sorted()
    }

    /// Every key but the stream with its value as text: hashes and sorted sets field by
    /// field, strings (counters, HyperLogLogs) as they are.
    func snapshot() throws -> [String: String] {
        var values: [String: String] = [:]
        for key in try (redis.run(RedisCommand("KEYS", "*")).elements ?? []).compactMap(\.text) where key != Self.stream {
            switch try redis.run(RedisCommand("TYPE", key)).text {
            case "hash": values[key] = try hash(key).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
            case "zset": values[key] = "\(try redis.run(RedisCommand("ZRANGE", key, "0", "-1", "WITHSCORES")))"
            default: values[key] = "\(try redis.run(RedisCommand("GET", key)))"
            }
        }
        return values
    }

    /// Entries of the stream still pending for the group.
    func pendingCount() throws -> Int64 {
        try PendingSummary.decode(redis.send(PendingSummary.command(stream: Self.stream))).count
    }

    /// A flusher over this partition (with a 1 s interval unless told).
    func flusher(intervalSeconds: Int = 1, metrics: WorkerMetrics = WorkerMetrics()) -> DerivedFlusher {
        DerivedFlusher(
            store: store, partitions: 1, intervalSeconds: intervalSeconds, stateLifetimeSeconds: 180, rollupWindowSeconds: 7200, owner: "test",
            metrics: metrics, logger: Logger(label: "sluice.worker.tests"))
    }

    /// The documents of `collection` as canonical extended JSON, by `_id`.
    func documents(_ collection: String) throws -> [String: JSONObject] {
        var byId: [String: JSONObject] = [:]
        for text in try store.findCanonicalJSON(collection: collection, filterJSON: "{}") {
            let document = try #require(try JSONParser.parse(text).objectValue)
            byId[try #require(document["_id"]?.stringValue)] = document
        }
        return byId
    }
}
