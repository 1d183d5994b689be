import SluiceCore

/// What roll-ups count of one event, read from its fields: the same for an event
/// the worker is storing and for a document read back from MongoDB (the stored
/// fields keep their names), so `sluicectl rollups verify` counts as the worker does.
public struct EventFacts: Sendable {
    public let kind: EventKind
    /// The site id, nil without a sites file.
    public let site: String?
    /// Epoch milliseconds (after the worker's clock-skew correction).
    public let timestamp: Int64
    /// A bot (by the user agent): counted apart from humans.
    public let isBot: Bool
    /// The page's path, for page views.
    public let path: String?
    /// The event's own fields.
    public let fields: JSONObject

    public init(kind: EventKind, fields: JSONObject, timestamp: Int64, isBot: Bool, path: String?) {
        self.kind = kind
        self.fields = fields
        self.site = fields["siteId"]?.stringValue
        self.timestamp = timestamp
        self.isBot = isBot
        self.path = path
    }

    /// A page view that only reports engagement (`timeSpent`/`scrollDepth`) for an earlier one.
    public var isEngagementUpdate: Bool {
        kind == .pageview && fields["pageviewId"] != nil && (fields["timeSpent"] != nil || fields["scrollDepth"] != nil)
    }

    /// A page view that counts as one.
    public var isPageView: Bool { kind == .pageview && !isEngagementUpdate }

    func text(_ name: String) -> String? {
        guard let value = fields[name]?.stringValue, !value.isEmpty else { return nil }
        return value
    }

    /// A numeric field (a duration in ms), nil when absent or not a number.
    public func milliseconds(_ name: String) -> Double? { fields[name]?.numberValue }
}
