import Foundation
import SluiceRollups
import Synchronization

/// Reads of roll-up buckets, kept for reuse by later reports of the same process.
///
/// A bucket is closed once its roll-up window has passed (`SLUICE_ROLLUP_WINDOW` after its
/// end): the workers never write it again, only `sluicectl rollups rebuild` does. So a
/// read of closed buckets is reused for `lifetime` (a rebuild shows within it). A read of
/// open buckets is reused while the site's roll-up generation (`RollupGenerations`) is
/// the one it was read at, and never past `openLifetime`: the flusher gives it a new one
/// after every pass that wrote the site's buckets, so the store is asked for them about
/// once a write, not once a view. Without a generation (older workers, a Redis that lost
/// it) open buckets are read every time. Reads are keyed
/// by site, span and projection. Beside them it keeps the unions of closed buckets'
/// visitor sketches (`KeptUnion`), which `VisitorCounter` would otherwise send to Redis
/// and merge again for every view of a long range; they too are reused for `lifetime`.
/// The least recently used entries go first once their size (documents' JSON text,
/// sketches' bytes) passes `capacityBytes`. Safe for concurrent use.
public final class RollupCache: Sendable {
    /// What one read of a span asked for.
    struct Key: Hashable {
        let site: String
        let span: BucketSpan
        let options: String
    }

    /// The merged visitor sketch of a set of closed buckets and its count, as a report
    /// that counted them left it, with a digest of the sketches it was made of
    /// (`VisitorCounter.digest`).
    struct KeptUnion {
        let sketch: [UInt8]
        let count: Int64
        let inputs: Int
    }

    /// What an entry is kept under: a read, or a union of the closed buckets listed.
    private enum Slot: Hashable {
        case read(Key)
        case union([RollupBucket])
    }

    private enum Value {
        case snapshots([RollupSnapshot])
        case union(KeptUnion)
    }

    private struct Entry {
        let value: Value
        let bytes: Int
        /// The site's roll-up generation the read was made at; nil for closed buckets.
        let generation: String?
        let storedAt: Int64
        var lastUse: UInt64
    }

    private struct State {
        var entries: [Slot: Entry] = [:]
        var bytes = 0
        var uses: UInt64 = 0
    }

    /// How long a read is reused, in ms.
    public let lifetime: Int64
    /// How long a read of open buckets is reused at most, in ms, whatever the generation
    /// says: a minute (the default flush interval), or `lifetime` if shorter. It bounds
    /// what a writer that died between its write and the new generation can hide.
    public var openLifetime: Int64 { min(lifetime, 60_000) }
    /// The roll-up window, in ms: a bucket is closed this long after its end.
    public let window: Int64
    /// The most JSON text the entries may hold together.
    public let capacityBytes: Int
    private let state = Mutex(State())

    /// A cache reusing reads for `lifetimeSeconds`, for buckets closed `windowSeconds` after their end.
    public init(lifetimeSeconds: Int, windowSeconds: Int, capacityBytes: Int = 64 << 20) {
        lifetime = Int64(lifetimeSeconds) * 1000
        window = Int64(windowSeconds) * 1000
        self.capacityBytes = capacityBytes
    }

    /// `span` split where its buckets stop being closed at `now`: the closed part (reusable)
    /// and the open part, each nil when empty.
    func split(_ span: BucketSpan, now: Int64) -> (closed: BucketSpan?, open: BucketSpan?) {
        let size = span.granularity.milliseconds
        // A bucket starting at s is closed once s + size + window <= now.
        let latestClosed = now - window - size
        let boundary = (latestClosed >= 0 ? latestClosed / size : (latestClosed + 1) / size - 1) * size + size
        let cut = min(max(boundary, span.from), span.to)
        return (
            cut > span.from ? BucketSpan(granularity: span.granularity, from: span.from, to: cut) : nil,
            cut < span.to ? BucketSpan(granularity: span.granularity, from: cut, to: span.to) : nil
        )
    }

    /// Whether `bucket` is closed at `now`: its roll-up window has passed since its end.
    func isClosed(_ bucket: RollupBucket, now: Int64) -> Bool {
        bucket.start + bucket.granularity.milliseconds + window <= now
    }

    /// The kept read of `key`, if younger than `lifetime` at `now` and made at `generation`.
    func snapshots(_ key: Key, generation: String? = nil, now: Int64) -> [RollupSnapshot]? {
        guard case .snapshots(let snapshots)? = value(.read(key), generation: generation, now: now) else { return nil }
        return snapshots
    }

    /// Keeps `snapshots`, read at `now` (and, for open buckets, at `generation`) from
    /// documents of `bytes` bytes of JSON, evicting the least recently used.
    func keep(_ snapshots: [RollupSnapshot], bytes: Int, for key: Key, generation: String? = nil, now: Int64) {
        keep(.snapshots(snapshots), bytes: bytes, in: .read(key), generation: generation, now: now)
    }

    /// The kept union of the closed `buckets`' visitor sketches, if younger than `lifetime` at `now`.
    func union(of buckets: [RollupBucket], now: Int64) -> KeptUnion? {
        guard case .union(let union)? = value(.union(buckets), generation: nil, now: now) else { return nil }
        return union
    }

    /// Keeps the union of the closed `buckets`' visitor sketches, made at `now`.
    func keep(_ union: KeptUnion, of buckets: [RollupBucket], now: Int64) {
        keep(.union(union), bytes: union.sketch.count, in: .union(buckets), generation: nil, now: now)
    }

    private func value(_ slot: Slot, generation: String?, now: Int64) -> Value? {
        state.withLock { state in
            guard let entry = state.entries[slot], entry.generation == generation,
                now - entry.storedAt < (generation == nil ? lifetime : openLifetime)
            else { return nil }
            state.uses += 1
            state.entries[slot]!.lastUse = state.uses
            return entry.value
        }
    }

    private func keep(_ value: Value, bytes: Int, in slot: Slot, generation: String?, now: Int64) {
        guard bytes <= capacityBytes / 4 else { return }
        state.withLock { state in
            state.uses += 1
            if let old = state.entries.updateValue(
                Entry(value: value, bytes: bytes, generation: generation, storedAt: now, lastUse: state.uses), forKey: slot)
            {
                state.bytes -= old.bytes
            }
            state.bytes += bytes
            while state.bytes > capacityBytes, let oldest = state.entries.min(by: { $0.value.lastUse < $1.value.lastUse }) {
                state.bytes -= oldest.value.bytes
                state.entries[oldest.key] = nil
            }
        }
    }

    /// The current time in epoch ms.
    static func now() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}
