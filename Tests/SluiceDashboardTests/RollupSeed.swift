import SluiceCore
import SluiceMongo
import SluiceRedis
import SluiceReports
import SluiceRollups
import Testing

/// The report pages' data set: one UTC day of roll-ups (2026-11-28, the unnamed site of a
/// dashboard without a sites file) and the day before it, written as the flusher writes
/// them (`RollupDocument.fields`), with the day's HyperLogLog made by Redis itself.
enum RollupSeed {
    /// The query string of the seeded day, in UTC.
    static let day = "range=custom&from=2026-11-28&to=2026-11-28&tz=UTC"

    /// Writes both days into `bed`'s store.
    static func write(_ bed: DashboardTestBed) throws {
        let time = { (milliseconds: Double) in RollupMetric.time(TimeHistogram.index(of: milliseconds)) }
        let pair = { (first: String, second: String) in first + String(RollupDelta.valueSeparator) + second }
        try bed.writeRollup(.day, start: utc("2026-11-28"), visitors: ["v1", "v2", "v3"]) { d in
            d.add(.human, total: "pageViews", by: 1234)
            d.add(.human, total: "sessions", by: 40)
            d.add(.human, total: "bounces", by: 10)
            d.add(.human, total: "duration", by: 2_400_000)
            d.add(.human, "page", "/pricing", by: 700)
            d.add(.human, "page", "/", by: 534)
            d.add(.human, "agent", "support", by: 10)
            d.add(.human, "agent", "support", "satisfied", by: 4)
            d.add(.human, "agent", "support", "unsatisfied", by: 1)
            d.add(.human, "agent", "support", time(100), by: 10)
            d.add(.human, "tool", "search", by: 10)
            d.add(.human, "tool", "search", "failures", by: 3)
            d.add(.human, "toolError", pair("search", "timeout"), by: 3)
            d.add(.human, "experiment", "summarize", by: 4)
            d.add(.human, "experiment", "summarize", "failures", by: 1)
            d.add(.human, "endpoint", pair("/v1/orders", "GET"), by: 200)
            d.add(.human, "endpoint", pair("/v1/orders", "GET"), "s4xx", by: 10)
            d.add(.human, "endpoint", pair("/v1/orders", "GET"), "s5xx", by: 5)
            d.add(.human, "endpoint", pair("/v1/orders", "GET"), time(50), by: 200)
            d.add(.human, "userEvent", pair("auth", "signup"), by: 1)
        }
        try bed.writeRollup(.day, start: utc("2026-11-27"), visitors: ["v1"]) { d in
            d.add(.human, total: "pageViews", by: 1000)
            d.add(.human, total: "sessions", by: 50)
        }
    }

    /// The UTC midnight starting `date` (`YYYY-MM-DD`), in epoch ms.
    static func utc(_ date: String) -> Int64 { Int64(CivilDate(date)!.dayNumber) * 86_400_000 }
}

extension DashboardTestBed {
    /// Writes the `rollups` document of the unnamed site's bucket starting at `start`, with
    /// the counts `build` adds and the human `visitors` (exact count and HyperLogLog).
    func writeRollup(_ granularity: RollupBucket.Granularity, start: Int64, visitors: [String], _ build: (inout RollupDelta) -> Void) throws {
        var delta = RollupDelta()
        build(&delta)
        var counts = RollupCounts()
        counts.add(delta)
        let redis = try RedisConnection(endpoint: RedisEndpoint(url: redisURL))
        let replies = try redis.pipeline([
            RedisCommand(arguments: ["PFADD", "test:hll"] + visitors), RedisCommand("GET", "test:hll"), RedisCommand("DEL", "test:hll"),
        ])
        guard case .string(let sketch) = replies[1] else { throw RedisError.unexpectedReply(command: "GET", reply: "\(replies)") }
        let bucket = RollupBucket(site: "", granularity: granularity, start: start)
        let update = BSONDocumentBuilder()
        update.appendDocument("$set", RollupDocument.fields(bucket: bucket, counts: counts, visitors: Int64(visitors.count), visitorsHLL: sketch, now: start))
        let filter = BSONDocumentBuilder()
        filter.appendString("_id", bucket.documentId)
        let outcome = try store.bulkWrite(collection: RollupDocument.collection, operations: [.upsert(filter: filter, update: update)])
        try #require(outcome.failures.isEmpty, "\(outcome.failures)")
    }
}
