import Foundation
import SluiceCore
import SluiceMongo
import SluiceRedis
import SluiceReports
import SluiceRollups
import SluiceTestSupport
import Testing

/// A fresh MongoDB database and a fresh Redis database of the servers the test command
/// started, and `rollups` documents written as the flusher writes them
/// (`RollupDocument.fields`), with HyperLogLogs made by Redis itself.
///
/// Redis databases 192...223 are this target's (scripts/test.sh starts Redis with 224).
final class ReportsTestBed {
    let redis: RedisConnection
    let store: MongoStore
    let source: ReportSource

    private static let databases = RedisDatabasePool("SluiceReportsTests", 192..<224)

    private init(redis: RedisConnection, store: MongoStore) {
        self.redis = redis
        self.store = store
        source = ReportSource(store: store, redis: redis)
    }

    /// Runs `body` with a flushed Redis database and a new MongoDB database (dropped
    /// afterwards) holding the roll-ups' index; fails (never skips) without the servers.
    static func withFresh<R>(_ body: (ReportsTestBed) throws -> R) throws -> R {
        let redis = try RedisConnection(endpoint: RedisEndpoint(url: try databases.fresh()))
        return try FreshMongoDatabase.withStore(prefix: "sluicereports", appName: "sluice-reports-tests") { store in
            try store.createIndexes(
                collection: RollupDocument.collection,
                indexes: [IndexSpec(name: "site_1_granularity_1_start_1", keys: [IndexKey("site"), IndexKey("granularity"), IndexKey("start")])])
            return try body(ReportsTestBed(redis: redis, store: store))
        }
    }

    /// A Redis HyperLogLog of `ids`: PFADD into a scratch key, GET, DEL.
    func sketch(_ ids: [String]) throws -> [UInt8] {
        let key = "test:hll"
        let replies = try redis.pipeline([RedisCommand(arguments: ["PFADD", key] + ids), RedisCommand("GET", key), RedisCommand("DEL", key)])
        guard case .string(let bytes) = replies[1] else { throw RedisError.unexpectedReply(command: "GET", reply: "\(replies)") }
        return bytes
    }

    /// Writes the document of `site`'s `granularity` bucket starting at `start` with the
    /// counts `build` adds and the human visitors `visitors` (its exact count and HyperLogLog).
    func write(site: String = "shop", _ granularity: RollupBucket.Granularity, _ start: Int64, visitors: [String] = [], _ build: (inout RollupDelta) -> Void)
        throws
    {
        var delta = RollupDelta()
        build(&delta)
        var counts = RollupCounts()
        counts.add(delta)
        let bucket = RollupBucket(site: site, granularity: granularity, start: start)
        let update = BSONDocumentBuilder()
        update.appendDocument(
            "$set",
            RollupDocument.fields(
                bucket: bucket, counts: counts, visitors: Int64(visitors.count), visitorsHLL: visitors.isEmpty ? nil : try sketch(visitors), now: start))
        let filter = BSONDocumentBuilder()
        filter.appendString("_id", bucket.documentId)
        let outcome = try store.bulkWrite(collection: RollupDocument.collection, operations: [.upsert(filter: filter, update: update)])
        try #require(outcome.failures.isEmpty, "\(outcome.failures)")
    }

    /// Writes `buckets`' documents in bulk, each with `pageViews` human page views and `visitors` visitors sketched by `sketch`.
    func writeMany(_ buckets: [RollupBucket], pageViews: Int64, visitors: Int64, sketch: [UInt8]) throws {
        var delta = RollupDelta()
        delta.add(.human, total: "pageViews", by: pageViews)
        var counts = RollupCounts()
        counts.add(delta)
        for chunk in stride(from: 0, to: buckets.count, by: 1000).map({ buckets[$0..<min($0 + 1000, buckets.count)] }) {
            let operations: [BulkOperation] = chunk.map { bucket in
                let update = BSONDocumentBuilder()
                update.appendDocument("$set", RollupDocument.fields(bucket: bucket, counts: counts, visitors: visitors, visitorsHLL: sketch, now: bucket.start))
                let filter = BSONDocumentBuilder()
                filter.appendString("_id", bucket.documentId)
                return .upsert(filter: filter, update: update)
            }
            let outcome = try store.bulkWrite(collection: RollupDocument.collection, operations: operations)
            try #require(outcome.failures.isEmpty, "\(outcome.failures)")
        }
    }

    /// Every Redis key left (scratch keys must not be).
    func redisKeys() throws -> [String] {
        try redis.run(RedisCommand("KEYS", "*")).elements?.compactMap(\.text) ?? []
    }

    /// The start of `date` (`YYYY-MM-DD`) at UTC midnight, plus `hours`.
    static func utc(_ date: String, hours: Int64 = 0) -> Int64 { Int64(CivilDate(date)!.dayNumber) * 86_400_000 + hours * 3_600_000 }

    /// The `TimeHistogram` metric holding `milliseconds`.
    static func time(_ milliseconds: Double) -> String { RollupMetric.time(TimeHistogram.index(of: milliseconds)) }

    /// The upper bound of the `TimeHistogram` bin holding `milliseconds`: what a percentile falling there reads.
    static func bound(_ milliseconds: Double) -> Double { TimeHistogram.upperBound(of: TimeHistogram.index(of: milliseconds)) }

    /// A two-part row value (tool and message, endpoint and method, event type and name).
    static func pair(_ first: String, _ second: String) -> String { first + String(RollupDelta.valueSeparator) + second }

    /// `v<from>` … `v<to − 1>`.
    static func ids(_ prefix: String, _ range: Range<Int>) -> [String] { range.map { "\(prefix)\($0)" } }
}
