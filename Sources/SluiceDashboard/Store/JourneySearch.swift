import SluiceCore

/// Finds what a user-journey search names: a visitor by id, the visitors a user id was
/// seen on (`visitors.userIds`), or a session by id. Each is one indexed read: `_id` for
/// visitors and sessions, `userIds_1` for user ids.
struct JourneySearch: Sendable {
    /// What a search matched and the visitor it leads to.
    struct Match: Sendable, Equatable {
        /// The field the text matched: `visitorId`, `userId` or `sessionId`.
        let field: String
        let visitorId: String
        /// The session, for a `sessionId` match.
        let sessionId: String?

        /// `{"field", "visitorId", "sessionId"}`.
        var json: JSONValue {
            .object(JSONObject([("field", .string(field)), ("visitorId", .string(visitorId)), ("sessionId", sessionId.map(JSONValue.string) ?? .null)]))
        }
    }

    /// The longest text searched for; ids are far shorter.
    static let maxQueryLength = 200
    /// The most visitors listed for one user id, most recently seen first.
    static let maxVisitorsPerUser = 20

    let store: DashboardStore

    /// The search text of `?q=`, trimmed; 400 when missing, empty or too long.
    static func query(_ text: Substring?) throws(DashboardError) -> String {
        let untrimmed = text ?? ""
        let query = String(untrimmed.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
        guard !query.isEmpty else { throw .invalidQuery("q", "missing: give a visitor id, a user id or a session id") }
        guard query.count <= maxQueryLength else { throw .invalidQuery("q", "longer than \(maxQueryLength) characters; ids are shorter") }
        return query
    }

    /// Every match of `query`: the visitor with that id, the visitors of that user id, the session with that id.
    func matches(_ query: String) async throws(DashboardError) -> [Match] {
        let byId = filter(("_id", .string(query)))
        var matches: [Match] = []
        if try await store.find(StoreCollection.visitors, filter: byId, options: #"{"projection": {"_id": 1}, "limit": 1}"#).isEmpty == false {
            matches.append(Match(field: "visitorId", visitorId: query, sessionId: nil))
        }
        let options = #"{"projection": {"_id": 1}, "sort": {"lastVisit": -1}, "limit": \#(Self.maxVisitorsPerUser)}"#
        for visitor in try await store.find(StoreCollection.visitors, filter: filter(("userIds", .string(query))), options: options) {
            if let visitorId = visitor["_id"]?.stringValue { matches.append(Match(field: "userId", visitorId: visitorId, sessionId: nil)) }
        }
        let sessions = try await store.find(StoreCollection.sessions, filter: byId, options: #"{"projection": {"visitorId": 1}, "limit": 1}"#)
        if let visitorId = sessions.first?["visitorId"]?.stringValue {
            matches.append(Match(field: "sessionId", visitorId: visitorId, sessionId: query))
        }
        return matches
    }

    /// `{field: value}` as extended JSON.
    private func filter(_ member: (String, JSONValue)) -> String {
        JSONWriter.string(of: .object(JSONObject([member])))
    }
}
