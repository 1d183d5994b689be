import SluiceCore

/// One roll-up bucket: a site's hour or day (UTC), counted per stream partition in
/// Redis and merged into one `rollups` document when flushed (docs/rollups.md).
public struct RollupBucket: Hashable, Sendable {
    /// How long a bucket spans.
    public enum Granularity: String, Sendable, CaseIterable {
        case hour, day

        /// The span in milliseconds.
        public var milliseconds: Int64 { self == .hour ? 3_600_000 : 86_400_000 }
        /// The one-letter tag in Redis keys.
        var tag: String { self == .hour ? "h" : "d" }
    }

    /// The site id, or "" without a sites file.
    public let site: String
    public let granularity: Granularity
    /// The bucket's first millisecond (epoch ms, UTC).
    public let start: Int64

    public init(site: String, granularity: Granularity, start: Int64) {
        self.site = site
        self.granularity = granularity
        self.start = start
    }

    /// The bucket of `granularity` holding `timestamp`.
    public init(site: String?, granularity: Granularity, containing timestamp: Int64) {
        let span = granularity.milliseconds
        let floored = timestamp >= 0 ? timestamp / span * span : ((timestamp + 1) / span - 1) * span
        self.init(site: site ?? "", granularity: granularity, start: floored)
    }

    /// The hour and the day holding `timestamp`.
    public static func both(site: String?, containing timestamp: Int64) -> [RollupBucket] {
        Granularity.allCases.map { RollupBucket(site: site, granularity: $0, containing: timestamp) }
    }

    /// The bucket's first millisecond after its end.
    public var end: Int64 { start + granularity.milliseconds }

    /// The part of every key and document id after the partition: `<h|d>:<start ms>:<site>`
    /// (the site last, so it may hold any character).
    public var name: String { "\(granularity.tag):\(start):\(site)" }

    /// Parses `name`.
    public init?(name: Substring) {
        let parts = name.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, let start = Int64(parts[1]),
            let granularity = Granularity.allCases.first(where: { $0.tag == parts[0] })
        else { return nil }
        self.init(site: String(parts[2]), granularity: granularity, start: start)
    }

    /// The `rollups` document's `_id`.
    public var documentId: String { name }

    /// Whether the bucket still takes changes at `now`: until `window` milliseconds after
    /// its end. Later changes are left to `sluicectl rollups rebuild`.
    public func isOpen(now: Int64, window: Int64) -> Bool { end + window > now }
}
