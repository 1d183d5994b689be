import Foundation
import Hummingbird
import SluiceReports

/// One report page and its machine routes: `GET <path>` (HTML), `GET
/// /api/dashboard/<page>` (the JSON the page renders from) and `GET
/// /api/dashboard/<page>.csv?table=<name>` (one of its tables), all taking the report
/// parameters (`ReportControls`). A bad parameter is a 400 naming it: the page shows the
/// problem above its controls, the JSON routes answer the usual error body.
struct ReportPageController: Sendable {
    /// Builds a page's view from its reports.
    typealias Builder = @Sendable (ReportSource, ReportQuery) throws(ReportError) -> ReportView

    let page: DashboardPage
    let layout: PageLayout
    let sites: DashboardSites
    let runner: ReportRunner
    let build: Builder
    /// The funnels the page's funnel selector offers (the funnels page; none elsewhere).
    var funnels: [String] = []

    /// Adds the page to `pages` and its JSON and CSV routes to `api` (the `api/dashboard` group).
    func addRoutes(pages: some RouterMethods<BasicRequestContext>, api: some RouterMethods<BasicRequestContext>) {
        pages.get(RouterPath(page.path)) { request, _ in await html(request) }
        api.get(RouterPath(page.rawValue)) { request, _ in
            let (query, view) = try await view(ReportControls(query: request.uri.queryParameters, sites: sites, funnels: funnels))
            return JSONResponse.ok(ReportJSON.object(page: page, query: query, view: view))
        }
        api.get(RouterPath(page.rawValue + ".csv")) { request, _ in try await csv(request) }
    }

    /// The parsed query and the page's view.
    private func view(_ controls: ReportControls) async throws(DashboardError) -> (ReportQuery, ReportView) {
        let query = try ReportQuery(controls, sites: sites, now: Int64(Date().timeIntervalSince1970 * 1000))
        let build = build
        return (query, try await runner.run { source throws(ReportError) in try build(source, query) })
    }

    /// The page, or the page with the problem and the status of the error.
    private func html(_ request: Request) async -> Response {
        let controls = ReportControls(query: request.uri.queryParameters, sites: sites, funnels: funnels)
        do {
            let (_, view) = try await view(controls)
            return layout.page(
                page, controls: controls,
                body: ReportHTML.body(
                    view,
                    csvLink: { name in
                        "/api/dashboard/\(page.rawValue).csv?" + controls.queryString(adding: [("table", name)])
                    })
            ).response()
        } catch {
            let problem = error.details.map { "\($0.field): \($0.problem)" }.joined(separator: "; ")
            return layout.page(page, controls: controls, error: problem, body: "").response(status: error.status)
        }
    }

    /// The table `table=` names, as CSV.
    private func csv(_ request: Request) async throws(DashboardError) -> Response {
        let parameters = request.uri.queryParameters
        let (_, view) = try await view(ReportControls(query: parameters, sites: sites, funnels: funnels))
        let names = view.tables.map(\.name).joined(separator: ", ")
        guard let name = parameters["table"].map(String.init), !name.isEmpty else {
            throw .invalidQuery("table", "name the table to download: one of \(names)")
        }
        guard let named = view.table(named: name) else {
            throw .invalidQuery("table", "unknown table \"\(name.prefix(100))\": use one of \(names)")
        }
        return Response(
            status: .ok,
            headers: [
                .contentType: "text/csv; charset=utf-8", .cacheControl: "no-store",
                .contentDisposition: "attachment; filename=\"\(page.rawValue)-\(named.name).csv\"",
            ],
            body: .init(byteBuffer: ByteBuffer(string: named.table.csv)))
    }
}
