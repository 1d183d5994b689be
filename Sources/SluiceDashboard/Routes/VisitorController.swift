import Hummingbird
import SluiceCore
import SluiceMongo

/// `GET /api/analytics/analytics/visitor/:visitorId`: the visitors document and a page of
/// the visitor's sessions, newest first, with a cursor to the next page.
struct VisitorController: Sendable {
    /// Sessions per page unless `?limit=` says otherwise.
    static let defaultLimit = 50
    /// The most sessions one page holds.
    static let maxLimit = 500

    let store: DashboardStore

    /// Adds the route to `api`, the protected `api/analytics/analytics` group.
    func addRoutes(to api: some RouterMethods<BasicRequestContext>) {
        api.get("visitor/:visitorId") { request, context in
            try await visitor(try context.parameters.require("visitorId"), query: request.uri.queryParameters)
        }
    }

    /// The visitor's answer for one page: `limit` sessions after `cursor`.
    private func visitor(_ visitorId: String, query: Parameters) async throws -> Response {
        let limit = try Self.limit(query["limit"].map(String.init))
        let cursor = try query["cursor"].map { token throws(DashboardError) in
            guard let cursor = SessionCursor(token: String(token)) else {
                throw .invalidQuery("cursor", "not a cursor this route handed out: pass the \"next\" value of the previous page as it was")
            }
            return cursor
        }
        guard let visitor = try await store.document(StoreCollection.visitors, id: visitorId) else {
            throw DashboardError.notFound("visitorId", "no visitor with this id is stored")
        }
        let sessions = try await store.find(
            StoreCollection.sessions, filter: Self.sessionFilter(visitorId: visitorId, after: cursor), options: Self.sessionOptions(limit: limit))
        let page = sessions.prefix(limit)
        var next = JSONValue.null
        if sessions.count > limit, let last = page.last, let id = last["_id"]?.stringValue,
            let startTime = last["startTime"]?.stringValue.flatMap(Timestamp.parseISO8601)
        {
            next = .string(SessionCursor(startTime: startTime, id: id).token)
        }
        return JSONResponse.ok(JSONObject([("visitor", .object(visitor)), ("sessions", .array(page.map(JSONValue.object))), ("next", next)]))
    }

    /// `?limit=`: absent is `defaultLimit`, otherwise a whole number from 1 to `maxLimit`.
    static func limit(_ text: String?) throws(DashboardError) -> Int {
        guard let text else { return defaultLimit }
        guard let limit = Int(text), (1...maxLimit).contains(limit) else {
            throw .invalidQuery("limit", "expected a whole number from 1 to \(maxLimit), got \"\(text.prefix(40))\"")
        }
        return limit
    }

    /// The visitor's sessions, those before `cursor` in newest-first order when given.
    static func sessionFilter(visitorId: String, after cursor: SessionCursor?) -> String {
        var filter = JSONObject([("visitorId", .string(visitorId))])
        if let cursor {
            let startTime = ExtendedJSON.date(milliseconds: cursor.startTime)
            filter["$or"] = .array([
                .object(JSONObject([("startTime", .object(JSONObject([("$lt", startTime)])))])),
                .object(JSONObject([("startTime", startTime), ("_id", .object(JSONObject([("$lt", .string(cursor.id))])))])),
            ])
        }
        return JSONWriter.string(of: .object(filter))
    }

    /// Newest first (ties by `_id`, so the cursor's order is total), one more than a page
    /// to learn whether a next page exists. The `visitorId` index narrows the read to the
    /// visitor's own sessions; the server sorts those.
    static func sessionOptions(limit: Int) -> String {
        #"{"sort": {"startTime": -1, "_id": -1}, "limit": \#(limit + 1)}"#
    }
}
