import SluiceCore
import SluiceMongo

/// The `rollups` document of a bucket (docs/rollups.md):
///
/// ```
/// {_id: "h:<start ms>:<site>", site, granularity: "hour"|"day", start, end, updatedAt,
///  visitorsHLL: <Redis HyperLogLog of human visitor ids>,
///  human: {visitors, pageViews, events, sessions, bounces, duration, engaged,
///          page: [{key, count}], agent: [{key, count, satisfied, unsatisfied, time: [{le, count}]}], ...},
///  bot: {pageViews, events, page: [...], ...}}
/// ```
///
/// Rows are sorted by count, largest first; a two-part value is split into `key`
/// and `subkey` (tool and error message, endpoint and method, event type and name).
public enum RollupDocument {
    /// The collection.
    public static let collection = StoreCollection.rollups

    /// The document's fields after `_id`, to `$set` whole (a flush writes absolute values);
    /// the rows capped per dimension (`RollupCounts.capped`).
    public static func fields(bucket: RollupBucket, counts uncapped: RollupCounts, visitors: Int64, visitorsHLL: [UInt8]?, now: Int64) -> BSONDocumentBuilder {
        let counts = uncapped.capped()
        let document = BSONDocumentBuilder()
        document.appendString("site", bucket.site)
        document.appendString("granularity", bucket.granularity.rawValue)
        document.appendDate("start", millisecondsSince1970: bucket.start)
        document.appendDate("end", millisecondsSince1970: bucket.end)
        document.appendDate("updatedAt", millisecondsSince1970: now)
        if let visitorsHLL { document.appendBinary("visitorsHLL", visitorsHLL) }
        for audience in RollupAudience.allCases {
            document.appendDocument(audience.rawValue) { part in
                if audience == .human { part.appendInt64("visitors", visitors) }
                let totals = counts.totals[audience] ?? [:]
                for total in RollupTotal.allCases where audience == .human || [.pageViews, .events].contains(total) {
                    part.appendInt64(total.rawValue, totals[total.rawValue] ?? 0)
                }
                for dimension in RollupDimension.allCases {
                    // `capped` left out rows whose counts all went back to zero (an exit page a session moved on from).
                    guard let values = counts.rows[audience]?[dimension.rawValue], !values.isEmpty else { continue }
                    part.appendArray(dimension.rawValue) { array in
                        for (value, metrics) in sortedRows(values) { array.appendDocument { appendRow(value, metrics, to: $0) } }
                    }
                }
            }
        }
        return document
    }

    /// Reads the counts back from a document's canonical (relaxed or extended) JSON.
    public static func counts(of document: JSONObject) -> RollupCounts {
        var counts = RollupCounts()
        for audience in RollupAudience.allCases {
            guard let part = document[audience.rawValue]?.objectValue else { continue }
            for member in part.members {
                if let count = integer(member.value) {
                    if member.key != "visitors" { counts.totals[audience, default: [:]][member.key] = count }
                    continue
                }
                guard case .array(let rows) = member.value else { continue }
                for case .object(let row) in rows {
                    guard let key = row["key"]?.stringValue else { continue }
                    let value = row["subkey"]?.stringValue.map { key + String(RollupDelta.valueSeparator) + $0 } ?? key
                    var metrics: [String: Int64] = [:]
                    for field in row.members where field.key != "key" && field.key != "subkey" {
                        if field.key == "time", case .array(let bins) = field.value {
                            for case .object(let bin) in bins {
                                guard let le = bin["le"].flatMap(number), let count = bin["count"].flatMap(integer) else { continue }
                                metrics[RollupMetric.time(TimeHistogram.index(of: le)), default: 0] += count
                            }
                        } else if let count = integer(field.value) {
                            metrics[field.key == "count" ? RollupMetric.count : field.key] = count
                        }
                    }
                    counts.rows[audience, default: [:]][member.key, default: [:]][value] = metrics
                }
            }
        }
        return counts
    }

    /// Rows by count, largest first, then by value.
    static func sortedRows(_ values: [String: [String: Int64]]) -> [(String, [String: Int64])] {
        values.sorted { a, b in
            let (ca, cb) = (a.value[RollupMetric.count] ?? 0, b.value[RollupMetric.count] ?? 0)
            return ca != cb ? ca > cb : a.key < b.key
        }
    }

    private static func appendRow(_ value: String, _ metrics: [String: Int64], to row: BSONDocumentBuilder) {
        let parts = value.split(separator: RollupDelta.valueSeparator, maxSplits: 1, omittingEmptySubsequences: false)
        row.appendString("key", String(parts[0]))
        if parts.count == 2 { row.appendString("subkey", String(parts[1])) }
        row.appendInt64("count", metrics[RollupMetric.count] ?? 0)
        var bins: [(Int, Int64)] = []
        for (metric, count) in metrics.sorted(by: { $0.key < $1.key }) where metric != RollupMetric.count {
            if metric.hasPrefix("t"), let index = Int(metric.dropFirst()) {
                if count != 0 { bins.append((index, count)) }
            } else {
                row.appendInt64(metric, count)
            }
        }
        if !bins.isEmpty {
            row.appendArray("time") { array in
                for (index, count) in bins.sorted(by: { $0.0 < $1.0 }) {
                    array.appendDocument { bin in
                        bin.appendDouble("le", TimeHistogram.upperBound(of: index))
                        bin.appendInt64("count", count)
                    }
                }
            }
        }
    }

    /// A number from relaxed (`2.5`) or extended (`{"$numberDouble": "2.5"}`) JSON.
    static func number(_ value: JSONValue) -> Double? {
        if let number = value.numberValue { return number }
        guard let object = value.objectValue else { return nil }
        for key in ["$numberDouble", "$numberLong", "$numberInt"] {
            if let text = object[key]?.stringValue { return Double(text) }
        }
        return nil
    }

    /// An integer from relaxed (`5`) or extended (`{"$numberLong": "5"}`) JSON.
    public static func integer(_ value: JSONValue) -> Int64? {
        switch value {
        case .int(let number): return number
        case .double(let number) where number == number.rounded(): return Int64(number)
        case .object(let object):
            if let text = object["$numberLong"]?.stringValue ?? object["$numberInt"]?.stringValue { return Int64(text) }
            return nil
        default: return nil
        }
    }
}
