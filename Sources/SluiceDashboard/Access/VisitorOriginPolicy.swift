import HTTPTypes
import Hummingbird
import SluiceCore

/// Cross-origin answers for `/current`, as ingest gives them: a site's page asks for its
/// visitor's own ids with the visitor cookie, so the `Origin` is echoed with credentials
/// allowed (never `*`) when some site lists it, or for any origin without a sites file;
/// `Vary: Origin` keeps caches from mixing answers.
struct VisitorOriginPolicy<Context: RequestContext>: RouterMiddleware {
    /// The allowed origins, normalised; nil allows any.
    let origins: Set<String>?

    /// The policy for `sites` (nil: any origin).
    init(sites: SiteRegistry?) {
        origins = sites.map { Set($0.allOrigins) }
    }

    /// Adds the cross-origin headers to the answer, error answers included (or the page
    /// could not read why it was refused).
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let origin = request.headers[.origin] else { return try await next(request, context) }
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        }
        if origins?.contains(SiteRegistry.normalisedOrigin(origin)) ?? true {
            response.headers[.accessControlAllowOrigin] = origin
            response.headers[.accessControlAllowCredentials] = "true"
            response.headers[.accessControlExposeHeaders] = "Retry-After"
        }
        response.headers[values: .vary].append("Origin")
        return response
    }
}
