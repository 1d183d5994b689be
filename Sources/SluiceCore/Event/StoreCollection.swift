/// The MongoDB collections Sluice writes, each named here once (docs/schema.md): with
/// `EventKind.collection`, which names the event collections, the one list of collection
/// names. Code and tests spell a collection through these two, never as a literal.
public enum StoreCollection {
    /// One per kind of event with a document of its own (feedback is kept on its chat's),
    /// in the order of the seed's routes: pageviews, chatinteractions, toolusages,
    /// labexperiments, userevents, apiusages.
    public static let events: [String] = [EventKind.pageview, .chat, .tool, .lab, .event, .api].map(\.collection)
    /// One document per session (`_id`: the session id).
    public static let sessions = "sessions"
    /// One document per visitor (`_id`: the visitor id).
    public static let visitors = "visitors"
    /// One document per roll-up bucket (`RollupDocument`).
    public static let rollups = "rollups"
    /// Dead letters moved out of Redis past their bound.
    public static let deadLetters = "deadletters"
    /// Every collection holding a visitor's personal data: what retention and erasure cover.
    public static let personal: [String] = events + [sessions, visitors]
}
