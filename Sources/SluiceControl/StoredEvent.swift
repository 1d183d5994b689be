import SluiceCore
import SluiceRollups

/// One stored event document, as `sluicectl rollups` counts it again: its facts for the
/// roll-ups, and the visitor, session and time it adds to sessions and visitors.
struct StoredEvent {
    /// The event collections and the kind each stores (feedback only updates chats).
    static let collections: [(name: String, kind: EventKind)] = EventKind.allCases.filter { $0 != .feedback }.map { ($0.collection, $0) }

    /// The fields sessions, visitors and funnel progress are counted from, for reads that need no more.
    static let sessionProjection = [
        "visitorId", "sessionId", "userId", "siteId", "timestamp", "device", "path", "pageviewId", "timeSpent", "scrollDepth",
        "referrer", "context.referrer", "referrerHost", "channel", "utm", "gclid", "fbclid", "msclkid",
        // What funnel steps are matched by (`FunnelTally`).
        "eventType", "eventName", "success",
    ]

    let facts: EventFacts
    let visitorId: String?
    let sessionId: String?

    /// Reads a document of `kind`'s collection with plain values (`ExtendedJSON`); nil
    /// without a date `timestamp`.
    init?(kind: EventKind, document: JSONObject) {
        guard case .int(let timestamp)? = document["timestamp"] else { return nil }
        let isBot = document["device"]?.objectValue?["type"]?.stringValue == "bot"
        facts = EventFacts(kind: kind, fields: document, timestamp: timestamp, isBot: isBot, path: document["path"]?.stringValue)
        visitorId = document["visitorId"]?.stringValue
        sessionId = document["sessionId"]?.stringValue
    }

    var fields: JSONObject { facts.fields }
    var timestamp: Int64 { facts.timestamp }
    var isBot: Bool { facts.isBot }
    var isPageView: Bool { facts.isPageView }

    /// Whether the document stands for an event of its own. A chat document that only
    /// feedback made (the chat itself never arrived) has no `sessionId` field at all: the
    /// worker writes one, null or not, with every event it stores.
    var isEvent: Bool { facts.kind != .chat || fields.contains("sessionId") }

    /// The feedback's verdict, for a chat document holding `satisfied: true/false`.
    var satisfied: Bool? {
        guard facts.kind == .chat, case .bool(let satisfied)? = fields["satisfied"] else { return nil }
        return satisfied
    }
}
