import Hummingbird
import SluiceCore

/// `GET /api/analytics/analytics/session/:sessionId`: the sessions document and every
/// event of the session from the six event collections, in time order, each with its kind.
struct SessionController: Sendable {
    /// The most events one answer holds unless told otherwise; a longer session is cut
    /// there, with `"truncated": true`.
    static let defaultMaxEvents = 5000
    /// The event collections and the kind (DESIGN.md's name) each stores; feedback only updates chats.
    static let eventCollections: [(collection: String, kind: String)] =
        EventKind.allCases.filter { $0 != .feedback }.map { ($0.collection, $0.rawValue) }

    let store: DashboardStore
    /// The most events one answer holds.
    let maxEvents: Int

    /// Adds the route to `api`, the protected `api/analytics/analytics` group.
    func addRoutes(to api: some RouterMethods<BasicRequestContext>) {
        api.get("session/:sessionId") { _, context in
            try await session(try context.parameters.require("sessionId"))
        }
    }

    /// The session's answer: its document, its events, and whether they were cut.
    private func session(_ sessionId: String) async throws -> Response {
        guard let session = try await store.document(StoreCollection.sessions, id: sessionId) else {
            throw DashboardError.notFound("sessionId", "no session with this id is stored")
        }
        let events = try await events(of: sessionId)
        return JSONResponse.ok(
            JSONObject([
                ("session", .object(session)), ("events", .array(events.prefix(maxEvents).map(JSONValue.object))),
                ("truncated", .bool(events.count > maxEvents)),
            ]))
    }

    /// The session's events of every collection, each with `kind` first, sorted by
    /// `timestamp`, then `receivedAt`, then `_id`; at most `maxEvents + 1` of them. Each
    /// collection's read uses its `sessionId` index.
    func events(of sessionId: String) async throws -> [JSONObject] {
        let filter = JSONWriter.string(of: .object(JSONObject([("sessionId", .string(sessionId))])))
        let options = #"{"sort": {"timestamp": 1, "receivedAt": 1, "_id": 1}, "limit": \#(maxEvents + 1)}"#
        var events: [JSONObject] = []
        try await withThrowingTaskGroup(of: [JSONObject].self) { group in
            for (collection, kind) in Self.eventCollections {
                group.addTask {
                    try await store.find(collection, filter: filter, options: options).map { document in
                        JSONObject([("kind", .string(kind))] + document.members.filter { $0.key != "kind" }.map { ($0.key, $0.value) })
                    }
                }
            }
            for try await found in group { events += found }
        }
        return events.map { (Self.order($0), $0) }.sorted { $0.0 < $1.0 }.prefix(maxEvents + 1).map(\.1)
    }

    /// An event's place in time order. Dates are ISO 8601 strings of one fixed width, so
    /// they sort as text in time order; a missing date sorts first.
    static func order(_ event: JSONObject) -> OrderKey {
        func text(_ value: JSONValue?) -> String {
            switch value {
            case .string(let string)?: string
            case let value?: JSONWriter.string(of: value)
            case nil: ""
            }
        }
        return OrderKey(timestamp: text(event["timestamp"]), receivedAt: text(event["receivedAt"]), id: text(event["_id"]))
    }

    /// `timestamp`, then `receivedAt`, then `_id`.
    struct OrderKey: Comparable {
        let timestamp: String
        let receivedAt: String
        let id: String

        static func < (lhs: OrderKey, rhs: OrderKey) -> Bool {
            (lhs.timestamp, lhs.receivedAt, lhs.id) < (rhs.timestamp, rhs.receivedAt, rhs.id)
        }
    }
}
