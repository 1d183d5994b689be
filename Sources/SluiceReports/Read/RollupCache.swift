import Foundation
import Logging
import SluiceRollups
import Synchronization

/// Reads of roll-up buckets, kept for reuse by later reports of the same process.
///
/// A bucket is closed once its roll-up window has passed (`SLUICE_ROLLUP_WINDOW` after its
/// end): the workers never write it again, only `sluicectl rollups rebuild` does. So a
/// read of closed buckets is served for `lifetime` (a rebuild shows within it). A read of
/// open buckets is served for `openLifetime` at most, and is current while the site's
/// roll-up generation (`RollupGenerations`) is the one it was read at: the flusher gives
/// it a new one after every pass that wrote the site's buckets. A view never waits for the
/// store while a servable read is kept: once a read is past half its lifetime, or was made
/// at an older generation, the view gets it as it is and the read is made again in the
/// background (one at a time per key, one after another on a serial queue of the cache's
/// own), replacing the kept one when done. So a write shows in the views after that read,
/// and the store is asked for open buckets about once a write, not once a view. Without a
/// generation (older workers, a Redis that lost it) open buckets are read every time.
/// Reads are keyed by site, span and projection, each kept with its buckets' counts added
/// up (`KeptRead`), so a view of a long range adds a few sums, not every bucket. Beside
/// them it keeps the unions of closed buckets' visitor sketches (`KeptUnion`), which
/// `VisitorCounter` would otherwise send to Redis and merge again for every view of a long
/// range; they are reused for `lifetime`. The least recently used entries go first once
/// their size (documents' JSON text, sketches' bytes) passes `capacityBytes`; a read's sum
/// is not counted, and can take about as much again. Safe for concurrent use.
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

    /// A read as the store gave it: its buckets and the length of their documents' JSON text.
    typealias Read = (snapshots: [RollupSnapshot], bytes: Int)

    /// A read's buckets and their counts added up, once, when it was kept: a report over a
    /// long range adds the kept sums of its spans instead of every bucket again.
    struct KeptRead {
        let snapshots: [RollupSnapshot]
        let sum: RollupCounts

        init(_ snapshots: [RollupSnapshot]) {
            self.snapshots = snapshots
            sum = RollupCounts.sum(of: snapshots)
        }
    }

    private enum Value {
        case read(KeptRead)
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
        /// Reads being made again in the background.
        var refreshing: Set<Slot> = []
    }

    /// How long a read is served, in ms.
    public let lifetime: Int64
    /// How long a read of open buckets is served at most, in ms, whatever the generation
    /// says: a minute (the default flush interval), or `lifetime` if shorter. It bounds
    /// what a writer that died between its write and the new generation can hide.
    public var openLifetime: Int64 { min(lifetime, 60_000) }
    /// The roll-up window, in ms: a bucket is closed this long after its end.
    public let window: Int64
    /// The most JSON text the entries may hold together.
    public let capacityBytes: Int
    private let state = Mutex(State())
    /// Where reads are made again in the background, one at a time.
    private let refreshes = DispatchQueue(label: "sluice.rollup-cache.refresh")
    /// Where a background read that failed is told.
    private let logger: Logger?
    /// The time in epoch ms (`wallClock`, or a test's).
    private let clock: @Sendable () -> Int64

    /// A cache serving reads for `lifetimeSeconds`, for buckets closed `windowSeconds` after
    /// their end, telling `logger` of background reads that failed.
    public init(
        lifetimeSeconds: Int, windowSeconds: Int, capacityBytes: Int = 64 << 20, logger: Logger? = nil,
        clock: @escaping @Sendable () -> Int64 = RollupCache.wallClock
    ) {
        lifetime = Int64(lifetimeSeconds) * 1000
        window = Int64(windowSeconds) * 1000
        self.capacityBytes = capacityBytes
        self.logger = logger
        self.clock = clock
    }

    /// The cache's time now, in epoch ms.
    func now() -> Int64 { clock() }

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

    /// The buckets of `key` for a view at `now`: the kept read while it is servable, else
    /// what `read` gives, kept. `generation` is the site's roll-up generation for open
    /// buckets, nil for closed ones. A kept read past half its lifetime, or made at another
    /// generation, is served and made again with `read` in the background.
    func read(_ key: Key, generation: String? = nil, now: Int64, read: @escaping @Sendable () throws(ReportError) -> Read) throws(ReportError)
        -> KeptRead
    {
        if let (value, due) = value(.read(key), generation: generation, now: now), case .read(let kept) = value {
            if due { refresh(key, generation: generation, now: now, read: read) }
            return kept
        }
        let fresh = try read()
        let kept = KeptRead(fresh.snapshots)
        keep(.read(kept), bytes: fresh.bytes, in: .read(key), generation: generation, now: now)
        return kept
    }

    /// Makes the read of `key` again with `read` on the refresh queue, unless it is being
    /// made already, and keeps it as read at `generation` when the find started. Skipped
    /// when, by its turn, the kept read is gone (evicted) or was replaced by one made after
    /// the view at `now` asked; its result is not kept over a read made after it started.
    /// A failed read leaves the kept one as it is, and is logged.
    private func refresh(_ key: Key, generation: String?, now: Int64, read: @escaping @Sendable () throws(ReportError) -> Read) {
        let slot = Slot.read(key)
        guard state.withLock({ $0.refreshing.insert(slot).inserted }) else { return }
        refreshes.async {
            defer { self.state.withLock { _ = $0.refreshing.remove(slot) } }
            guard let kept = self.state.withLock({ $0.entries[slot] }), kept.storedAt <= now else { return }
            let started = self.now()
            do {
                let fresh = try read()
                self.keep(.read(KeptRead(fresh.snapshots)), bytes: fresh.bytes, in: slot, generation: generation, now: started, unlessNewer: true)
            } catch {
                self.logger?.warning(
                    "a report read made again behind the views failed; views get the kept one until it expires",
                    metadata: ["sluice.site": "\(key.site)", "sluice.span": "\(key.span)", "sluice.error": "\(error)"])
            }
        }
    }

    /// Returns once the background reads asked for so far are done (tests).
    func settle() { refreshes.sync {} }

    /// The kept union of the closed `buckets`' visitor sketches, if younger than `lifetime` at `now`.
    func union(of buckets: [RollupBucket], now: Int64) -> KeptUnion? {
        guard case .union(let union)? = value(.union(buckets), generation: nil, now: now)?.value else { return nil }
        return union
    }

    /// Keeps the union of the closed `buckets`' visitor sketches, made at `now`.
    func keep(_ union: KeptUnion, of buckets: [RollupBucket], now: Int64) {
        keep(.union(union), bytes: union.sketch.count, in: .union(buckets), generation: nil, now: now)
    }

    /// The value kept in `slot` if servable at `now` (younger than its lifetime, and open or
    /// closed as `generation` is set or not), and whether it is due to be made again: past
    /// half its lifetime, or made at another generation.
    private func value(_ slot: Slot, generation: String?, now: Int64) -> (value: Value, due: Bool)? {
        state.withLock { state in
            guard let entry = state.entries[slot], (entry.generation == nil) == (generation == nil) else { return nil }
            let life = entry.generation == nil ? lifetime : openLifetime
            let age = now - entry.storedAt
            guard age < life else { return nil }
            state.uses += 1
            state.entries[slot]!.lastUse = state.uses
            return (entry.value, entry.generation != generation || age >= life / 2)
        }
    }

    /// Keeps `value` in `slot`, made at `now` (and `generation`), evicting the least
    /// recently used past the capacity; with `unlessNewer`, not over a value made later. A
    /// value over a quarter of the capacity is not kept, and takes the slot's old one away.
    private func keep(_ value: Value, bytes: Int, in slot: Slot, generation: String?, now: Int64, unlessNewer: Bool = false) {
        state.withLock { state in
            if unlessNewer, let kept = state.entries[slot], kept.storedAt > now { return }
            guard bytes <= capacityBytes / 4 else {
                if let old = state.entries.removeValue(forKey: slot) { state.bytes -= old.bytes }
                return
            }
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
    public static func wallClock() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}
