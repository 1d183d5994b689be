import SluiceCore
import SluiceMongo
import SluiceRollups

/// A visitor's progress through the funnels: the `f|<funnel>` fields of its state hash
/// (`<step>\x1f<entered ms>\x1f<site>\x1f<hour key>\x1f<day key>`, `DerivedStepScript`'s
/// `U` operation) and the `funnels` field of its `visitors` document,
/// `{<funnel>: {step, entered, site}}` (`site` only with a sites file).
enum VisitorFunnels {
    /// One funnel's progress.
    struct Progress: Equatable {
        let funnel: String
        let step: Int64
        /// When the visitor reached the first step (epoch ms), and on which site ("" without one).
        let entered: Int64
        let site: String
    }

    /// The progress a state hash holds, by funnel name.
    static func progress(ofState state: [String: String]) -> [Progress] {
        state.compactMap { field, value -> Progress? in
            guard field.hasPrefix(Funnel.visitorFieldPrefix) else { return nil }
            let parts = value.split(separator: "\u{1F}", maxSplits: 3, omittingEmptySubsequences: false)
            guard parts.count >= 3, let step = Int64(parts[0]), let entered = Int64(parts[1]) else { return nil }
            return Progress(funnel: String(field.dropFirst(Funnel.visitorFieldPrefix.count)), step: step, entered: entered, site: String(parts[2]))
        }.sorted { $0.funnel < $1.funnel }
    }

    /// The state fields that continue a stored visitor's progress: its entry buckets'
    /// keys on `partition` where they are still open at `now`, "" where not, and as each
    /// reached step's time the entry time (the document keeps no other).
    static func fields(ofStored document: JSONObject, partition: Int, now: Int64, rollupWindow: Int64) -> [(field: String, value: String)] {
        guard let funnels = document["funnels"]?.objectValue else { return [] }
        return funnels.members.flatMap { member -> [(field: String, value: String)] in
            guard let progress = progress(member.value.objectValue, partition: partition, now: now, rollupWindow: rollupWindow) else { return [] }
            return [
                (Funnel.visitorFieldPrefix + member.key, progress.value),
                (Funnel.visitorTimesFieldPrefix + member.key, Array(repeating: String(progress.entered), count: Int(progress.step)).joined(separator: ";")),
            ]
        }
    }

    /// A stored funnel's `f|` value, step and entry time.
    private static func progress(_ progress: JSONObject?, partition: Int, now: Int64, rollupWindow: Int64) -> (value: String, step: Int64, entered: Int64)? {
        guard let progress, let step = Int64(StoredFields.integer(progress["step"])), step > 0 else { return nil }
        let entered = Int64(StoredFields.date(progress["entered"])) ?? 0
        let site = progress["site"]?.stringValue ?? ""
        let keys = RollupBucket.both(site: site, containing: entered).map { bucket in
            bucket.isOpen(now: now, window: rollupWindow) ? StreamLayout.rollupKey(bucket: bucket.name, partition: partition) : ""
        }
        return (([String(step), String(entered), site] + keys).joined(separator: "\u{1F}"), step, entered)
    }

    /// Appends `funnels` (a new document) or `funnels.<name>` fields (an update's `$set`,
    /// which leaves the other funnels' progress as stored); nothing without progress.
    static func append(_ state: [String: String], to document: BSONDocumentBuilder, asUpdate: Bool) {
        let progress = progress(ofState: state)
        guard !progress.isEmpty else { return }
        func appendFields(_ entry: Progress, to part: BSONDocumentBuilder) {
            part.appendInt64("step", entry.step)
            part.appendDate("entered", millisecondsSince1970: entry.entered)
            if !entry.site.isEmpty { part.appendString("site", entry.site) }
        }
        if asUpdate {
            for entry in progress { document.appendDocument("funnels." + entry.funnel) { appendFields(entry, to: $0) } }
        } else {
            document.appendDocument("funnels") { funnels in
                for entry in progress { funnels.appendDocument(entry.funnel) { appendFields(entry, to: $0) } }
            }
        }
    }
}
