/// The kinds of event Sluice accepts, one per tracking route of DESIGN.md.
public enum EventKind: String, CaseIterable, Sendable {
    case chat, feedback, tool, lab, event, pageview, api

    /// The MongoDB collection the kind is stored in (feedback updates chat interactions);
    /// with `StoreCollection`'s others, the one list of collection names.
    public var collection: String {
        switch self {
        case .chat, .feedback: return "chatinteractions"
        case .tool: return "toolusages"
        case .lab: return "labexperiments"
        case .event: return "userevents"
        case .pageview: return "pageviews"
        case .api: return "apiusages"
        }
    }

    /// The path under `/api/analytics/track/` that accepts this kind.
    public var routePath: String {
        switch self {
        case .feedback: return "chat/feedback"
        default: return rawValue
        }
    }
}
