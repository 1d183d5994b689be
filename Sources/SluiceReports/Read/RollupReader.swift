import Foundation
import SluiceCore
import SluiceMongo
import SluiceRedis
import SluiceRollups

/// Reads a site's roll-up buckets for a range from the `rollups` collection: one find per
/// span of the range (`ReportRange.readSpans`, at most four) on the
/// `site_1_granularity_1_start_1` index, projected to the parts a report needs (the
/// hours that are only points of a series, to their totals); with a
/// `RollupCache`, the buckets of a span come from the cache when it has them (the open
/// ones with the site's roll-up generation, asked of `redis`, to tell whether they are
/// current), and a read the cache makes again in the background is this reader's find.
/// Never reads raw event collections. Blocking.
public struct RollupReader {
    let store: MongoStore
    let cache: RollupCache?
    let redis: RedisConnection?

    /// A reader of `store`'s `rollups` collection, reusing reads from `cache` when given:
    /// closed buckets' reads, and open buckets' reads when `redis` is given too.
    public init(store: MongoStore, cache: RollupCache? = nil, redis: RedisConnection? = nil) {
        self.store = store
        self.cache = cache
        self.redis = redis
    }

    /// The buckets of `site` (`""` without a sites file) in `range`: `dimensions`' rows
    /// and the totals of `audience`, the visitors' HyperLogLogs when `sketches` is set (only
    /// the overview counts visitors over several buckets), and the series' buckets when
    /// `series` is set.
    public func read(
        site: String, range: ReportRange, dimensions: [RollupDimension], audience: ReportAudience, series: Bool, sketches: Bool = false
    ) throws(ReportError) -> RollupRead {
        func options(rows: Bool) -> String {
            JSONWriter.string(
                of: .object(
                    JSONObject([
                        ("projection", Self.projection(dimensions: rows ? dimensions : [], audience: audience, sketches: rows && sketches)),
                        ("sort", .object(JSONObject([("start", .int(1))]))),
                    ])))
        }
        var snapshots: [RollupSnapshot] = []
        // The totals, added up a span at a time (kept reads come with their sums).
        var totals = RollupCounts()
        // Asked once, before the first find of open buckets, so a write after it gives a
        // new one. Without one (no Redis, it failed, or no writer gave one), open buckets
        // are read every time.
        var asked = false
        var generation: String?
        func currentGeneration() -> String? {
            if !asked, let redis { generation = try? RollupGenerations.current(site: site, redis: redis) }
            asked = true
            return generation
        }
        for span in range.readSpans(series: series) {
            // Hours read only as points of the series need their totals, not their rows.
            let inTotals = range.countsInTotals(span)
            let optionsText = options(rows: inTotals)
            // A span counts in the totals as a whole (`ReportRange.countsInTotals`), so its
            // parts' sums add up to its buckets' counts.
            func add(_ part: [RollupSnapshot], sum: RollupCounts? = nil) {
                snapshots += part
                guard inTotals else { return }
                if let sum { totals.merge(sum) } else { for snapshot in part { totals.merge(snapshot.counts) } }
            }
            guard let cache else {
                add(try Self.find(store: store, site: site, span: span, options: optionsText).snapshots)
                continue
            }
            let now = cache.now()
            let (closed, open) = cache.split(span, now: now)
            if let closed {
                let kept = try kept(site: site, span: closed, options: optionsText, cache: cache, now: now)
                add(kept.snapshots, sum: kept.sum)
            }
            guard let open else { continue }
            if let generation = currentGeneration() {
                let kept = try kept(site: site, span: open, options: optionsText, cache: cache, generation: generation, now: now)
                add(kept.snapshots, sum: kept.sum)
            } else {
                add(try Self.find(store: store, site: site, span: open, options: optionsText).snapshots)
            }
        }
        snapshots.sort { $0.bucket.start < $1.bucket.start }
        return RollupRead(
            range: range, totalBuckets: snapshots.filter { range.countsInTotals($0.bucket) },
            seriesBuckets: series ? snapshots.filter { range.countsInSeries($0.bucket) } : [], totals: totals)
    }

    /// The buckets of `span` and their sum as `cache` keeps them (read at `generation`: nil
    /// for closed buckets), served as kept while servable (and found again behind the view
    /// when due), or as found and then kept.
    private func kept(site: String, span: BucketSpan, options: String, cache: RollupCache, generation: String? = nil, now: Int64) throws(ReportError)
        -> RollupCache.KeptRead
    {
        let store = store
        return try cache.read(RollupCache.Key(site: site, span: span, options: options), generation: generation, now: now) { () throws(ReportError) in
            try Self.find(store: store, site: site, span: span, options: options)
        }
    }

    /// The buckets of `span` in `store`, and the length of their documents' JSON text.
    static func find(store: MongoStore, site: String, span: BucketSpan, options: String) throws(ReportError) -> RollupCache.Read {
        var snapshots: [RollupSnapshot] = []
        var bytes = 0
        var failure: ReportError?
        do {
            let filter = JSONWriter.string(of: Self.filter(site: site, span: span))
            try store.forEachCanonicalJSON(collection: RollupDocument.collection, filterJSON: filter, optionsJSON: options) { text in
                guard failure == nil else { return }
                bytes += text.utf8.count
                do throws(ReportError) { snapshots.append(try Self.snapshot(text, site: site)) } catch { failure = error }
            }
        } catch {
            throw .store(error)
        }
        if let failure { throw failure }
        return (snapshots, bytes)
    }

    /// `{site, granularity, start: {$gte, $lt}}` of `span`: the index's fields in its order.
    static func filter(site: String, span: BucketSpan) -> JSONValue {
        let start: JSONValue = .object(JSONObject([("$gte", ExtendedJSON.date(milliseconds: span.from)), ("$lt", ExtendedJSON.date(milliseconds: span.to))]))
        return .object(JSONObject([("site", .string(site)), ("granularity", .string(span.granularity.rawValue)), ("start", start)]))
    }

    /// Only what the report reads: bucket, the audience's totals, `dimensions`' rows and,
    /// when `sketches` is set and people are counted, the visitors' HyperLogLog.
    static func projection(dimensions: [RollupDimension], audience: ReportAudience, sketches: Bool) -> JSONValue {
        var fields: [(String, JSONValue)] = [("granularity", .int(1)), ("start", .int(1))]
        if sketches && audience != .bots { fields.append(("visitorsHLL", .int(1))) }
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
        guard let start = document["start"]?.objectValue?["$date"].flatMap(RollupDocument.integer) else {
            throw .malformedDocument(id: id, problem: "no start date")
        }
        return RollupSnapshot(
            bucket: RollupBucket(site: site, granularity: granularity, start: start), counts: RollupDocument.counts(of: document),
            visitors: document["human"]?.objectValue?["visitors"].flatMap(RollupDocument.integer) ?? 0, visitorsHLL: document["visitorsHLL"].flatMap(binary))
    }

    /// Deep enough for a roll-up document (document, part, breakdown, row, histogram, bin, number).
    static let maxDepth = 16

    /// The bytes of an extended JSON binary (`{"$binary": {"base64": …}}`).
    static func binary(_ value: JSONValue) -> [UInt8]? {
        guard let encoded = value.objectValue?["$binary"]?.objectValue?["base64"]?.stringValue, let data = Data(base64Encoded: encoded) else { return nil }
        return [UInt8](data)
    }
}
