import Foundation
import SluiceCore
import SluiceMongo
import SluiceRollups

/// Reads a site's roll-up buckets for a range from the `rollups` collection: one find on
/// the `site_1_granularity_1_start_1` index, projected to the parts a report needs.
/// Never reads raw event collections. Blocking.
public struct RollupReader: Sendable {
    let store: MongoStore

    /// A reader of `store`'s `rollups` collection.
    public init(store: MongoStore) {
        self.store = store
    }

    /// The buckets of `site` (`""` without a sites file) in `range`: `dimensions`' rows
    /// and the totals of `audience`, the visitors' HyperLogLogs unless only bots are
    /// counted, and the series' buckets when `series` is set.
    public func read(site: String, range: ReportRange, dimensions: [RollupDimension], audience: ReportAudience, series: Bool) throws(ReportError) -> RollupRead {
        let totalsGranularity = range.totalsGranularity
        let seriesGranularity = range.seriesBucketGranularity
        let granularities = series && seriesGranularity != totalsGranularity ? [totalsGranularity, seriesGranularity] : [totalsGranularity]
        let filter = Self.filter(site: site, granularities: granularities, from: range.bucketStart, to: range.bucketEnd)
        let options: JSONValue = .object(JSONObject([("projection", Self.projection(dimensions: dimensions, audience: audience)), ("sort", .object(JSONObject([("start", .int(1))])))]))
        var snapshots: [RollupSnapshot] = []
        var failure: ReportError?
        do {
            try store.forEachCanonicalJSON(collection: RollupDocument.collection, filterJSON: JSONWriter.string(of: filter), optionsJSON: JSONWriter.string(of: options)) { text in
                guard failure == nil else { return }
                do throws(ReportError) { snapshots.append(try Self.snapshot(text, site: site)) } catch { failure = error }
            }
        } catch {
            throw .store(error)
        }
        if let failure { throw failure }
        return RollupRead(
            range: range, totalBuckets: snapshots.filter { $0.bucket.granularity == totalsGranularity },
            seriesBuckets: series ? snapshots.filter { $0.bucket.granularity == seriesGranularity } : [])
    }

    /// `{site, granularity, start: {$gte, $lt}}`: the index's fields in its order.
    static func filter(site: String, granularities: [RollupBucket.Granularity], from: Int64, to: Int64) -> JSONValue {
        func date(_ milliseconds: Int64) -> JSONValue { .object(JSONObject([("$date", .object(JSONObject([("$numberLong", .string(String(milliseconds)))])))])) }
        let granularity: JSONValue =
            granularities.count == 1
            ? .string(granularities[0].rawValue) : .object(JSONObject([("$in", .array(granularities.map { .string($0.rawValue) }))]))
        return .object(JSONObject([("site", .string(site)), ("granularity", granularity), ("start", .object(JSONObject([("$gte", date(from)), ("$lt", date(to))])))]))
    }

    /// Only what the report reads: bucket, HyperLogLog, the audience's totals and `dimensions`' rows.
    static func projection(dimensions: [RollupDimension], audience: ReportAudience) -> JSONValue {
        var fields: [(String, JSONValue)] = [("granularity", .int(1)), ("start", .int(1))]
        if audience != .bots { fields.append(("visitorsHLL", .int(1))) }
        for part in audience.parts {
            if part == .human { fields.append(("human.visitors", .int(1))) }
            for total in RollupTotal.allCases where part == .human || [.pageViews, .events].contains(total) {
                fields.append(("\(part.rawValue).\(total.rawValue)", .int(1)))
            }
            for dimension in dimensions { fields.append(("\(part.rawValue).\(dimension.rawValue)", .int(1))) }
        }
        return .object(JSONObject(fields))
    }

    /// One document's bucket, counts, visitors and HyperLogLog, read from its canonical
    /// extended JSON as parsed (`RollupDocument.counts` reads the number wrappers itself,
    /// so the tree is not rebuilt with plain values first).
    static func snapshot(_ text: String, site: String) throws(ReportError) -> RollupSnapshot {
        guard case .object(let document)? = try? JSONParser.parse(text, maxDepth: maxDepth) else {
            throw .malformedDocument(id: "?", problem: "not a JSON object")
        }
        let id = document["_id"]?.stringValue ?? "?"
        guard let name = document["granularity"]?.stringValue, let granularity = RollupBucket.Granularity(rawValue: name) else {
            throw .malformedDocument(id: id, problem: "no granularity")
        }
        guard let start = document["start"]?.objectValue?["$date"].flatMap(integer) else { throw .malformedDocument(id: id, problem: "no start date") }
        return RollupSnapshot(
            bucket: RollupBucket(site: site, granularity: granularity, start: start), counts: RollupDocument.counts(of: document),
            visitors: document["human"]?.objectValue?["visitors"].flatMap(integer) ?? 0, visitorsHLL: document["visitorsHLL"].flatMap(binary))
    }

    /// Deep enough for a roll-up document (document, part, breakdown, row, histogram, bin, number).
    static let maxDepth = 16

    /// An integer from canonical extended JSON (`{"$numberLong": "5"}`, `{"$numberInt": "5"}`) or a plain one.
    static func integer(_ value: JSONValue) -> Int64? {
        if case .int(let number) = value { return number }
        guard let object = value.objectValue, let text = (object["$numberLong"] ?? object["$numberInt"])?.stringValue else { return nil }
        return Int64(text)
    }

    /// The bytes of an extended JSON binary (`{"$binary": {"base64": …}}`).
    static func binary(_ value: JSONValue) -> [UInt8]? {
        guard let encoded = value.objectValue?["$binary"]?.objectValue?["base64"]?.stringValue, let data = Data(base64Encoded: encoded) else { return nil }
        return [UInt8](data)
    }
}
