import SluiceRollups

/// A funnel step a human event reached: what the acknowledgement script's `U`
/// operation adds to the visitor's progress (docs/derived-data.md, "Funnels").
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
}
