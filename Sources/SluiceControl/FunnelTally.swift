import SluiceCore
import SluiceRollups

/// Visitors' progress through the funnels counted again from their stored events, as
/// the worker counts it: each visitor's human events in time order (a lower step first
/// at the same millisecond), entering a funnel once at its first step and moving only
/// to the next step. Each step reached counts in the hour and day of the first step.
struct FunnelTally {
    /// One visitor's progress through one funnel.
    struct Progress: Equatable {
        var step: Int
        /// When and on which site the visitor reached the first step.
        let entered: Int64
        let site: String?
    }

    /// The configured funnels' names.
    let names: [String]
    /// Visitor id → funnel name → progress.
    private(set) var visitors: [String: [String: Progress]] = [:]
    /// What the steps reached add to the roll-ups (human `funnel` rows), by bucket.
    private(set) var rows: [RollupBucket: RollupDelta] = [:]

    /// Counts every visitor's progress from `events` (all of their events, any time).
    init(_ events: [StoredEvent], matcher: FunnelMatcher) {
        names = matcher.funnels.map(\.name)
        guard !matcher.isEmpty else { return }
        var reached: [String: [(match: FunnelMatcher.Match, at: Int64, site: String?)]] = [:]
        for event in events where !event.isBot && event.isEvent {
            guard let visitorId = event.visitorId else { continue }
            for match in matcher.matches(event.facts) { reached[visitorId, default: []].append((match, event.timestamp, event.facts.site)) }
        }
        for (visitorId, steps) in reached {
            for step in steps.sorted(by: { ($0.at, $0.match.step) < ($1.at, $1.match.step) }) {
                add(step.match, at: step.at, site: step.site, visitorId: visitorId, funnel: matcher.funnels[step.match.funnel])
            }
        }
    }

    private mutating func add(_ match: FunnelMatcher.Match, at: Int64, site: String?, visitorId: String, funnel: Funnel) {
        var progress = visitors[visitorId]?[funnel.name]
        if match.step == 1, progress == nil {
            progress = Progress(step: 1, entered: at, site: site)
        } else if let current = progress, match.step == current.step + 1 {
            progress!.step = match.step
        } else {
            return
        }
        visitors[visitorId, default: [:]][funnel.name] = progress
        for bucket in RollupBucket.both(site: progress!.site, containing: progress!.entered) {
            rows[bucket, default: RollupDelta()].add(.human, RollupDimension.funnel.rawValue, funnel.rowValue(step: match.step))
        }
    }
}

extension FunnelTally {
    /// How far a stored visitor document (plain values) says the visitor got in each
    /// configured funnel, against the recount: one difference per funnel that differs.
    func differences(visitorId: String, stored: JSONObject) -> [DerivedDifference] {
        let storedFunnels = stored["funnels"]?.objectValue
        return names.compactMap { name in
            var kept: Int64 = 0
            if case .int(let step)? = storedFunnels?[name]?.objectValue?["step"] { kept = step }
            let counted = Int64(visitors[visitorId]?[name]?.step ?? 0)
            guard kept != counted else { return nil }
            return DerivedDifference(subject: .visitor, id: visitorId, field: "funnels.\(name).step", stored: String(kept), recomputed: String(counted))
        }
    }

    /// A visitor's `funnels` field as rebuilt: `{<funnel>: {step, entered, site}}`, nil without progress.
    func document(visitorId: String) -> JSONValue? {
        guard let progress = visitors[visitorId], !progress.isEmpty else { return nil }
        return .object(
            JSONObject(
                progress.sorted { $0.key < $1.key }.map { name, entry in
                    var fields: [(String, JSONValue)] = [("step", .int(Int64(entry.step))), ("entered", .int(entry.entered))]
                    if let site = entry.site, !site.isEmpty { fields.append(("site", .string(site))) }
                    return (name, .object(JSONObject(fields)))
                }))
    }
}
