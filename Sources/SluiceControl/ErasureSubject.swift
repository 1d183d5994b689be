import SluiceCore

/// Whose data one erasure removes: a visitor, or a user together with every visitor linked to them.
struct ErasureSubject: Equatable {
    enum Kind: String {
        case visitor, user
    }

    let kind: Kind
    /// The visitor or user id the operator named.
    let id: String
    /// The visitors whose documents, session key and dead letters go: the visitor itself,
    /// or those linked to the user.
    let visitorIds: [String]

    static func visitor(_ id: String) -> ErasureSubject {
        ErasureSubject(kind: .visitor, id: id, visitorIds: [id])
    }

    static func user(_ id: String, visitorIds: [String]) -> ErasureSubject {
        ErasureSubject(kind: .user, id: id, visitorIds: visitorIds)
    }

    /// The user whose documents go whatever their visitor, nil for a visitor.
    var userId: String? { kind == .user ? id : nil }

    /// "visitor v-1", "user u-1 (visitors v-1, v-2)".
    var label: String {
        guard kind == .user else { return "visitor \(id)" }
        let linked = visitorIds.isEmpty ? "no linked visitors" : "visitor\(visitorIds.count == 1 ? "" : "s") \(visitorIds.joined(separator: ", "))"
        return "user \(id) (\(linked))"
    }

    /// The filter that selects this subject's documents in `collection`, as JSON: by
    /// `visitorId` (`_id` in visitors) and, for a user, also by `userId` (`userIds` in visitors).
    func filter(for collection: String) -> String {
        let (visitorField, userField) = collection == StoreCollection.visitors ? ("_id", "userIds") : ("visitorId", "userId")
        var clauses: [JSONValue] = []
        if !visitorIds.isEmpty {
            clauses.append(.object(JSONObject([(visitorField, .object(JSONObject([("$in", .array(visitorIds.map(JSONValue.string)))])))])))
        }
        if let userId {
            clauses.append(.object(JSONObject([(userField, .string(userId))])))
        }
        let filter = clauses.count == 1 ? clauses[0] : .object(JSONObject([("$or", .array(clauses))]))
        return JSONWriter.string(of: filter)
    }

    /// Whether an event (the `e` of a stream entry or dead letter) is this subject's.
    func owns(_ event: JSONObject) -> Bool {
        if let visitorId = event["visitorId"]?.stringValue, visitorIds.contains(visitorId) { return true }
        if let userId, event["userId"]?.stringValue == userId { return true }
        return false
    }
}
