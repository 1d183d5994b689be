import SluiceCore

/// Which funnel steps an event reaches, looked up by its path or its type and name:
/// one dictionary read per page view or user event, none at all without funnels.
/// Shared by the worker and `sluicectl rollups`, so both match alike.
public struct FunnelMatcher: Sendable {
    /// A step an event reaches: the funnel's index in `funnels` and the step's number (1-based).
    public struct Match: Sendable, Hashable {
        public let funnel: Int
        public let step: Int
    }

    /// The funnels, in configured order.
    public let funnels: [Funnel]
    private var pages: [Substring: [Match]] = [:]
    /// Event type → name → steps.
    private var events: [String: [String: [Match]]] = [:]

    /// Matches the steps of `settings`' funnels.
    public init(_ settings: FunnelSettings = FunnelSettings()) {
        funnels = settings.funnels
        for (index, funnel) in funnels.enumerated() {
            for (offset, step) in funnel.steps.enumerated() {
                let match = Match(funnel: index, step: offset + 1)
                switch step {
                case .page(let path): pages[Substring(path), default: []].append(match)
                case .event(let type, let name): events[type, default: [:]][name, default: []].append(match)
                }
            }
        }
    }

    /// Whether there is no funnel: then no event reaches a step.
    public var isEmpty: Bool { funnels.isEmpty }

    /// The steps `facts` reaches: a page view's path or a user event's type and name
    /// (a user event sent with `success: false` reaches none; engagement updates and
    /// other kinds neither).
    public func matches(_ facts: EventFacts) -> [Match] {
        if funnels.isEmpty { return [] }
        switch facts.kind {
        case .pageview where !pages.isEmpty && facts.isPageView:
            guard let path = facts.path else { return [] }
            return pages[Funnel.comparable(path: Substring(path))] ?? []
        case .event where !events.isEmpty:
            guard let type = facts.fields["eventType"]?.stringValue, let byName = events[type],
                let name = facts.fields["eventName"]?.stringValue, let found = byName[name], facts.fields["success"] != .bool(false)
            else { return [] }
            return found
        default:
            return []
        }
    }
}
