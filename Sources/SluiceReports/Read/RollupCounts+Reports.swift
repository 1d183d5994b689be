import SluiceRollups

extension RollupCounts {
    /// The counts of `snapshots` added up.
    static func sum(of snapshots: [RollupSnapshot]) -> RollupCounts {
        var sum = RollupCounts()
        for snapshot in snapshots { sum.merge(snapshot.counts) }
        return sum
    }

    /// Adds every count of `other`.
    mutating func merge(_ other: RollupCounts) {
        for (audience, values) in other.totals {
            totals[audience, default: [:]].merge(values, uniquingKeysWith: +)
        }
        for (audience, dimensions) in other.rows {
            var part = rows.removeValue(forKey: audience) ?? [:]
            for (dimension, values) in dimensions {
                // The first bucket's rows are taken whole; later ones are added row by row, each
                // dimension's table taken out while it changes so it is never copied.
                guard var merged = part.removeValue(forKey: dimension) else {
                    part[dimension] = values
                    continue
                }
                for (value, metrics) in values {
                    merged[value, default: [:]].merge(metrics, uniquingKeysWith: +)
                }
                part[dimension] = merged
            }
            rows[audience] = part
        }
    }

    /// The total `name` of `audience`'s parts added up.
    func total(_ name: RollupTotal, _ audience: ReportAudience) -> Int64 {
        audience.parts.reduce(0) { $0 + (totals[$1]?[name.rawValue] ?? 0) }
    }

    /// Value → metric → count of `dimension` for `audience` (both parts added up for `all`).
    func rows(_ dimension: RollupDimension, _ audience: ReportAudience) -> [String: [String: Int64]] {
        let parts = audience.parts
        var merged = rows[parts[0]]?[dimension.rawValue] ?? [:]
        for part in parts.dropFirst() {
            for (value, metrics) in rows[part]?[dimension.rawValue] ?? [:] {
                for (metric, count) in metrics { merged[value, default: [:]][metric, default: 0] += count }
            }
        }
        return merged
    }
}
