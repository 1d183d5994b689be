import HTTPTypes
import Hummingbird
import SluiceCore

/// Cross-origin rules for browsers posting events: the `Origin` is echoed when
/// allowed (any origin when ingest runs open, else the origins some site
/// lists), with credentials allowed for the visitor cookie — so never `*` —
/// and `Vary: Origin` so caches keep answers apart. Preflights are answered here.
struct CORSPolicy<Context: RequestContext>: RouterMiddleware {
    /// The sites whose origins are allowed (none: any origin), as reloaded on SIGHUP.
    let sites: SiteDirectory

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let origin = request.headers[.origin] else { return try await next(request, context) }
        let allowed = sites.snapshot.map { $0.origins.contains(SiteRegistry.normalisedOrigin(origin)) } ?? true
        if request.method == .options {
            var headers: HTTPFields = [
                .accessControlAllowMethods: "GET, POST, OPTIONS",
                .accessControlAllowHeaders: "Content-Type, Authorization, X-Sluice-Key",
                .accessControlMaxAge: "86400",
                .vary: "Origin",
            ]
            if allowed {
                headers[.accessControlAllowOrigin] = origin
                headers[.accessControlAllowCredentials] = "true"
            }
            return Response(status: .noContent, headers: headers)
        }
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as any HTTPResponseError {
            // Error answers need the headers too, or the page cannot read why it was refused.
            response = try error.response(from: request, context: context)
        }
        if allowed {
            response.headers[.accessControlAllowOrigin] = origin
            response.headers[.accessControlAllowCredentials] = "true"
            // Lets a page honour the server's delay on 429 and 503.
            response.headers[.accessControlExposeHeaders] = "Retry-After"
        }
        response.headers[values: .vary].append("Origin")
        return response
    }
}

extension HTTPField.Name {
    /// The header carrying a site's write key.
    static let sluiceKey = HTTPField.Name("X-Sluice-Key")!
    /// RFC 7239 forwarding information from proxies.
    static let forwarded = HTTPField.Name("Forwarded")!
    /// The de-facto proxy chain header.
    static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
    /// The scheme the client used, set by proxies.
    static let xForwardedProto = HTTPField.Name("X-Forwarded-Proto")!
    /// Do Not Track.
    static let dnt = HTTPField.Name("DNT")!
    /// Global Privacy Control.
    static let secGPC = HTTPField.Name("Sec-GPC")!
    /// Sent by browsers on every request (fetch metadata), never by HTTP libraries.
    static let secFetchSite = HTTPField.Name("Sec-Fetch-Site")!
}
