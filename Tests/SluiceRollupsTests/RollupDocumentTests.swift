import SluiceCore
import SluiceMongo
import Testing

@testable import SluiceRollups

@Suite struct RollupDocumentTests {
    let bucket = RollupBucket(site: "shop", granularity: .hour, start: 1_764_633_600_000)

    /// Counts with totals, plain rows, two-part rows, extra metrics and time histograms, for both audiences.
    var counts: RollupCounts {
        let separator = String(RollupDelta.valueSeparator)
        var counts = RollupCounts()
        for (field, count): (String, Int64) in [
            ("h|pageViews", 12), ("h|events", 20), ("h|sessions", 4), ("h|bounces", 1), ("h|duration", 93_000),
            ("h|page|n|/", 3), ("h|page|n|/pricing", 7), ("h|page|n|/about", 3), ("h|page|n|(other)", 2),
            ("h|agent|n|support", 5), ("h|agent|satisfied|support", 2), ("h|agent|unsatisfied|support", 1),
            ("h|agent|t22|support", 4), ("h|agent|t0|support", 1),
            ("h|toolError|n|search\(separator)timed out", 2),
            ("h|endpoint|n|/v1/chat\(separator)POST", 9), ("h|endpoint|s4xx|/v1/chat\(separator)POST", 2), ("h|endpoint|s5xx|/v1/chat\(separator)POST", 1),
            ("h|endpoint|t62|/v1/chat\(separator)POST", 1),
            ("b|pageViews", 30), ("b|events", 30), ("b|page|n|/robots.txt", 30),
        ] {
            counts.add(field: Substring(field), count: count)
        }
        return counts
    }

    /// The document `fields` builds, as canonical extended JSON parsed back.
    func written(visitors: Int64 = 3, hll: [UInt8]? = [1, 2, 3]) throws -> JSONObject {
        let builder = RollupDocument.fields(bucket: bucket, counts: counts, visitors: visitors, visitorsHLL: hll, now: 1_764_637_200_000)
        #expect(builder.appendFailure == nil)
        return try #require(try JSONParser.parse(builder.canonicalExtendedJSON).objectValue)
    }

    @Test func countsReadBackEqualTheCountsWritten() throws {
        let back = RollupDocument.counts(of: try written())
        #expect(back.differences(from: counts).isEmpty, "\(back.differences(from: counts))")
        #expect(back.normalized == counts.normalized)
        #expect(back.totals[.human]?["duration"] == 93_000)
        #expect(back.rows[.human]?["agent"]?["support"] == ["n": 5, "satisfied": 2, "unsatisfied": 1, "t22": 4, "t0": 1])
    }

    @Test func theDocumentHoldsTheBucketAndItsVisitors() throws {
        let document = try written(visitors: 17)
        #expect(document["site"] == .string("shop"))
        #expect(document["granularity"] == .string("hour"))
        #expect(document["start"]?.objectValue?["$date"]?.objectValue?["$numberLong"] == .string("1764633600000"))
        #expect(document["end"]?.objectValue?["$date"]?.objectValue?["$numberLong"] == .string("1764637200000"))
        #expect(document["visitorsHLL"] != nil)
        let human = try #require(document["human"]?.objectValue)
        #expect(human["visitors"]?.objectValue?["$numberLong"] == .string("17"))
        // Every human total is written, zero or not; bots have only page views and events.
        #expect(RollupTotal.allCases.allSatisfy { human[$0.rawValue] != nil })
        let bot = try #require(document["bot"]?.objectValue)
        #expect(bot["sessions"] == nil && bot["visitors"] == nil)
        #expect(bot["pageViews"]?.objectValue?["$numberLong"] == .string("30"))
        #expect(try written(hll: nil)["visitorsHLL"] == nil)
    }

    @Test func rowsAreSortedByCountThenByValue() throws {
        let human = try #require(try written()["human"]?.objectValue)
        guard case .array(let rows)? = human["page"] else {
            Issue.record("no page rows: \(human)")
            return
        }
        #expect(rows.compactMap { $0.objectValue?["key"]?.stringValue } == ["/pricing", "/", "/about", "(other)"])
        #expect(RollupDocument.sortedRows(["b": ["n": 1], "a": ["n": 1], "c": ["n": 2], "d": [:]]).map(\.0) == ["c", "a", "b", "d"])
    }

    @Test func twoPartValuesAreSplitIntoKeyAndSubkey() throws {
        let human = try #require(try written()["human"]?.objectValue)
        guard case .array(let rows)? = human["endpoint"], let row = rows.first?.objectValue else {
            Issue.record("no endpoint rows: \(human)")
            return
        }
        #expect(row["key"] == .string("/v1/chat"))
        #expect(row["subkey"] == .string("POST"))
        #expect(row["s4xx"]?.objectValue?["$numberLong"] == .string("2"))
        guard case .array(let bins)? = row["time"], let bin = bins.first?.objectValue else {
            Issue.record("no time histogram: \(row)")
            return
        }
        #expect(bins.count == 1)
        #expect(RollupDocument.number(try #require(bin["le"])) == TimeHistogram.upperBound(of: 62))
    }

    @Test func relaxedJSONReadsTheSame() throws {
        let relaxed = try #require(
            try JSONParser.parse(
                #"{"human": {"visitors": 4, "pageViews": 2, "page": [{"key": "/a", "count": 2, "time": [{"le": 1.0, "count": 2}]}]}, "bot": {"events": 1.0}}"#
            ).objectValue)
        let back = RollupDocument.counts(of: relaxed)
        #expect(back.totals == [.human: ["pageViews": 2], .bot: ["events": 1]])
        #expect(back.rows == [.human: ["page": ["/a": ["n": 2, "t0": 2]]]])
    }

    @Test func aBusyBucketIsWrittenWithItsRowsCapped() throws {
        var busy = RollupCounts()
        for index in 0..<(RollupDelta.maxRows + 50) { busy.add(field: Substring("h|page|n|/p\(index)"), count: Int64(index + 1)) }
        let builder = RollupDocument.fields(bucket: bucket, counts: busy, visitors: 0, visitorsHLL: nil, now: 1_764_637_200_000)
        let document = try #require(try JSONParser.parse(builder.canonicalExtendedJSON).objectValue)
        let back = RollupDocument.counts(of: document)
        #expect(back.rows[.human]?["page"]?.count == RollupDelta.maxRows + 1)
        #expect(back.rows[.human]?["page"]?["/p149"] == ["n": 150])
        #expect(back.rows[.human]?["page"]?["/p49"] == nil)
        #expect(back.rows[.human]?["page"]?["(other)"] == ["n": Int64((1...50).reduce(0, +))])
        #expect(back.normalized == busy.capped())
    }
}
