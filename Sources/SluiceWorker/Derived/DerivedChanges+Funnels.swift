import SluiceRollups

/// A funnel step a human event reached: what the acknowledgement script's `U`
/// operation advances the visitor by (docs/derived-data.md, "Funnels").
struct FunnelStepReached {
    let visitorId: String
    let match: FunnelMatcher.Match
    /// The event's time (epoch ms) and site: a first step's buckets.
    let at: Int64
    let site: String?
}

extension DerivedChanges {
    /// Notes every funnel step `facts` (a human event) reaches.
    mutating func addFunnelSteps(_ facts: EventFacts, visitorId: String) {
        for match in funnels.matches(facts) {
            funnelSteps.append(FunnelStepReached(visitorId: visitorId, match: match, at: facts.timestamp, site: facts.site))
        }
    }

    /// The steps in time order, a lower step first at the same millisecond (as `sluicectl
    /// rollups` recounts them), else in the order counted: the script advances a visitor
    /// only to the next step, so the order decides how far it gets.
    var funnelStepsInOrder: [FunnelStepReached] {
        funnelSteps.enumerated().sorted { a, b in
            (a.element.at, a.element.match.step, a.offset) < (b.element.at, b.element.match.step, b.offset)
        }.map(\.element)
    }
}
