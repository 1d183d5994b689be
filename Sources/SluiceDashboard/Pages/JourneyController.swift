import Hummingbird
import SluiceCore

/// The user-journey page, `GET /journey?q=…[&session=…][&cursor=…]`, and its search as
/// JSON, `GET /api/dashboard/journey?q=…`. The visitor's sessions and a session's events
/// come from the same reads as the seed's visitor and session routes.
struct JourneyController: Sendable {
    /// Sessions listed per page.
    static let sessionsPerPage = 20

    let store: DashboardStore
    let search: JourneySearch
    /// The pages' shared frame.
    let layout: PageLayout
    /// The seed's session route, whose read gathers a session's events.
    let sessionRoute: SessionController

    /// Reads `store`; a timeline holds at most `maxEvents` events, as the session route does.
    init(store: DashboardStore, layout: PageLayout, maxEvents: Int) {
        self.store = store
        self.layout = layout
        search = JourneySearch(store: store)
        sessionRoute = SessionController(store: store, maxEvents: maxEvents)
    }

    /// Adds the page to `pages` and the JSON search to `api`, the protected `api/dashboard` group.
    func addRoutes(pages: some RouterMethods<BasicRequestContext>, api: some RouterMethods<BasicRequestContext>) {
        pages.get("journey") { request, _ in try await page(request.uri.queryParameters) }
        api.get("journey") { request, _ in
            let query = try JourneySearch.query(request.uri.queryParameters["q"])
            let matches = try await search.matches(query)
            guard !matches.isEmpty else { throw DashboardError.notFound("q", "no visitor, user id or session with this id is stored") }
            return JSONResponse.ok(JSONObject([("query", .string(query)), ("matches", .array(matches.map(\.json)))]))
        }
    }

    /// The page for the search in `parameters`: the form alone without one.
    private func page(_ parameters: Parameters) async throws -> Response {
        guard parameters["q"] != nil else { return JourneyPage.page(query: "", content: "", layout: layout) }
        let query: String
        do {
            query = try JourneySearch.query(parameters["q"])
        } catch {
            return JourneyPage.page(query: "", content: JourneyPage.problem(error.details.map(\.problem).joined()), layout: layout, status: .badRequest)
        }
        let matches = try await search.matches(query)
        var visitorIds: [String] = []
        for match in matches where !visitorIds.contains(match.visitorId) { visitorIds.append(match.visitorId) }
        guard let visitorId = visitorIds.first else { return JourneyPage.page(query: query, content: JourneyPage.nothingFound(query), layout: layout) }
        guard visitorIds.count == 1 else { return JourneyPage.page(query: query, content: JourneyPage.choices(query, matches), layout: layout) }

        var cursor: SessionCursor?
        if let token = parameters["cursor"] {
            guard let parsed = SessionCursor(token: String(token)) else {
                return JourneyPage.page(
                    query: query, content: JourneyPage.problem("cursor: not one this page handed out; follow the “Older sessions” link as it is"),
                    layout: layout, status: .badRequest)
            }
            cursor = parsed
        }
        let chosen = parameters["session"].map(String.init) ?? matches.first { $0.sessionId != nil }?.sessionId
        var content = JourneyPage.sessions(try await sessions(of: visitorId, after: cursor), chosen: chosen)
        if let chosen {
            if let timeline = try await timeline(of: chosen, visitorId: visitorId) {
                content += JourneyPage.timeline(timeline)
            } else {
                content += JourneyPage.problem("session: this visitor has no session with this id")
            }
        }
        return JourneyPage.page(query: query, content: content, layout: layout)
    }

    /// The visitor's document and a page of sessions, newest first, after `cursor`.
    private func sessions(of visitorId: String, after cursor: SessionCursor?) async throws(DashboardError) -> JourneyPage.Sessions {
        let visitor = try await store.document(StoreCollection.visitors, id: visitorId)
        let found = try await store.find(
            StoreCollection.sessions, filter: VisitorController.sessionFilter(visitorId: visitorId, after: cursor),
            options: VisitorController.sessionOptions(limit: Self.sessionsPerPage))
        let page = Array(found.prefix(Self.sessionsPerPage))
        var next: SessionCursor?
        if found.count > Self.sessionsPerPage, let last = page.last, let id = last["_id"]?.stringValue,
            let startTime = last["startTime"]?.stringValue.flatMap(Timestamp.parseISO8601)
        {
            next = SessionCursor(startTime: startTime, id: id)
        }
        return JourneyPage.Sessions(visitorId: visitorId, visitor: visitor, sessions: page, next: next)
    }

    /// The session `sessionId` of `visitorId` with its events; nil when it is not that visitor's.
    private func timeline(of sessionId: String, visitorId: String) async throws -> JourneyPage.Timeline? {
        guard let session = try await store.document(StoreCollection.sessions, id: sessionId), session["visitorId"]?.stringValue == visitorId else {
            return nil
        }
        let events = try await sessionRoute.events(of: sessionId)
        return JourneyPage.Timeline(
            session: session, events: Array(events.prefix(sessionRoute.maxEvents)), truncated: events.count > sessionRoute.maxEvents)
    }
}
