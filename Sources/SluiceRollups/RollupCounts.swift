import FoundationEssentials
import SluiceCore

/// A bucket's counts, merged from any number of Redis hashes (one per partition) or
/// read back from its `rollups` document: what the flusher writes and what
/// `sluicectl rollups verify` compares.
public struct RollupCounts: Sendable, Equatable {
    /// Audience → total → count.
    public var totals: [RollupAudience: [String: Int64]] = [:]
    /// Audience → dimension → value → metric → count.
    public var rows: [RollupAudience: [String: [String: [String: Int64]]]] = [:]

    public init() {}

    /// Adds one Redis hash field's count (see `RollupDelta` for the field names);
    /// fields of no known shape are skipped.
    public mutating func add(field: Substring, count: Int64) {
        let parts = field.split(separator: "|", maxSplits: 3, omittingEmptySubsequences: false)
        guard let audience = RollupAudience.allCases.first(where: { $0.tag == parts.first ?? "" }) else { return }
        switch parts.count {
        case 2:
            totals[audience, default: [:]][String(parts[1]), default: 0] += count
        case 4:
            rows[audience, default: [:]][String(parts[1]), default: [:]][String(parts[3]), default: [:]][String(parts[2]), default: 0] += count
        default:
            return
        }
    }

    /// Adds every increment of `delta`.
    public mutating func add(_ delta: RollupDelta) {
        for field in delta.order { add(field: Substring(field), count: delta.increments[field]!) }
    }

    /// The same counts with zero counts and empty rows left out, so a merge of
    /// hashes and a document read back compare equal.
    public var normalized: RollupCounts {
        var result = RollupCounts()
        for (audience, values) in totals {
            let kept = values.filter { $0.value != 0 }
            if !kept.isEmpty { result.totals[audience] = kept }
        }
        for (audience, dimensions) in rows {
            for (dimension, values) in dimensions {
                for (value, metrics) in values {
                    let kept = metrics.filter { $0.value != 0 }
                    if !kept.isEmpty { result.rows[audience, default: [:]][dimension, default: [:]][value] = kept }
                }
            }
        }
        return result
    }

    /// The counts as a `rollups` document keeps them: in each dimension at most `limit`
    /// values, the most counted first (ties by value), every metric of the rest added to
    /// the `(other)` row. Funnel steps (the configured steps) and user events (the site's
    /// own names, bounded per partition; the funnels page reads the signup row by name)
    /// are never cut. The partitions' hashes each keep `limit` values, so merged they may
    /// hold several times as many; capped again here, a document's size stays bounded
    /// however many distinct pages, referrers or tools a busy bucket sees, and the
    /// dashboard's reads with it. Deterministic, so `sluicectl rollups verify` caps its
    /// recount the same way and compares like with like.
    public func capped(rows limit: Int = RollupDelta.maxRows) -> RollupCounts {
        var result = normalized
        for (audience, dimensions) in result.rows {
            for (dimension, values) in dimensions where !Self.uncapped.contains(dimension) && values.count > limit {
                // The document's own order: by count, then by value.
                let ranked = RollupDocument.sortedRows(values.filter { $0.key != RollupDelta.otherValue })
                guard ranked.count > limit else { continue }
                var other = values[RollupDelta.otherValue] ?? [:]
                for (_, metrics) in ranked[limit...] { other.merge(metrics, uniquingKeysWith: +) }
                var kept = Dictionary(uniqueKeysWithValues: ranked.prefix(limit))
                kept[RollupDelta.otherValue] = other
                result.rows[audience]![dimension] = kept
            }
        }
        return result
    }

    /// The dimensions `capped` never cuts.
    static let uncapped: Set<String> = [RollupDimension.funnel.rawValue, RollupDimension.userEvent.rawValue]

    /// Every difference from `other` as "<audience> <what>: <self> vs <other>", sorted.
    public func differences(from other: RollupCounts) -> [String] {
        let mine = normalized.flattened
        let theirs = other.normalized.flattened
        return Set(mine.keys).union(theirs.keys).sorted().compactMap { key in
            let a = mine[key] ?? 0
            let b = theirs[key] ?? 0
            return a == b ? nil : "\(key): \(a) vs \(b)"
        }
    }

    /// One entry per count: "human pageViews", "human page /pricing n".
    private var flattened: [String: Int64] {
        var out: [String: Int64] = [:]
        for (audience, values) in totals { for (metric, count) in values { out["\(audience.rawValue) \(metric)"] = count } }
        for (audience, dimensions) in rows {
            for (dimension, values) in dimensions {
                for (value, metrics) in values {
                    let shown = value.replacingOccurrences(of: String(RollupDelta.valueSeparator), with: " / ")
                    for (metric, count) in metrics { out["\(audience.rawValue) \(dimension) \(shown) \(metric)"] = count }
                }
            }
        }
        return out
    }
}
