import Foundation
import Hummingbird
import NIOCore

/// The seed's universal tracking middleware for Hummingbird: every request
/// becomes an API call (route pattern, method, status, response time) and a
/// `GET` answered with HTML also a page view, each with the visitor cookie's id
/// (the cookie is set when absent) and the browser's user agent, referrer and
/// address relayed in `context`. Events go to a `SluiceSender`; the request
/// waits for nothing but a queue append.
public struct SluiceTrackingMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Decides per request whether to leave it untracked (health checks, assets).
    public typealias SkipPredicate = @Sendable (Request, Context) -> Bool
    /// The browser's address for a request, when the server knows better than the socket (a trusted proxy).
    public typealias AddressReader = @Sendable (Request, Context) -> String?

    let sender: SluiceSender
    let configuration: SluiceClientConfiguration
    let skip: SkipPredicate
    let clientAddress: AddressReader

    /// Tracks every request not skipped. `clientAddress` defaults to the socket's
    /// peer when the context knows it (`RemoteAddressRequestContext`).
    public init(
        sender: SluiceSender, configuration: SluiceClientConfiguration,
        skip: @escaping SkipPredicate = { _, _ in false }, clientAddress: AddressReader? = nil
    ) {
        self.sender = sender
        self.configuration = configuration
        self.skip = skip
        self.clientAddress = clientAddress ?? { _, context in (context as? any RemoteAddressRequestContext)?.remoteAddress?.ipAddress }
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard !skip(request, context) else { return try await next(request, context) }
        let started = ContinuousClock.now
        let cookie = VisitorIdentity.visitorId(in: request, cookieName: configuration.cookieName)
        let visitorId = cookie ?? VisitorIdentity.newVisitorId()
        let relayed = TrackedEvent.RelayedContext(
            userAgent: request.headers[.userAgent],
            ip: clientAddress(request, context).flatMap { configuration.anonymizeIP ? VisitorIdentity.anonymized($0) : $0 },
            referrer: request.headers[.referer])
        do {
            var response = try await next(request, context)
            if cookie == nil {
                response.headers[values: .setCookie].append(VisitorIdentity.cookie(visitorId, request: request, configuration: configuration))
            }
            let status = response.status.code
            let pageView = configuration.pageViews && request.method == .get && status < 400 && response.headers[.contentType]?.hasPrefix("text/html") == true
            let sender = sender
            let endpoint = Self.endpoint(request, context: context)
            let url = pageView ? Self.pageURL(request) : nil
            let method = request.method.rawValue
            let body = response.body
            // Recorded once the body is written, so the response time covers it.
            response.body = ResponseBody(contentLength: body.contentLength) { writer in
                let record = {
                    await sender.enqueue(
                        Self.events(visitorId: visitorId, relayed: relayed, endpoint: endpoint, method: method, status: status, started: started, pageURL: url))
                }
                do {
                    try await body.write(writer)
                } catch {
                    await record()
                    throw error
                }
                await record()
            }
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            let events = Self.events(
                visitorId: visitorId, relayed: relayed, endpoint: Self.endpoint(request, context: context), method: request.method.rawValue, status: status,
                started: started, pageURL: nil)
            await sender.enqueue(events)
            throw error
        }
    }

    /// The API call, and the page view when `pageURL` is set.
    static func events(
        visitorId: String, relayed: TrackedEvent.RelayedContext, endpoint: String, method: String, status: Int, started: ContinuousClock.Instant,
        pageURL: String?
    ) -> [TrackedEvent] {
        let elapsed = ContinuousClock.now - started
        let milliseconds = min(86_400_000, elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        var events = [
            TrackedEvent(
                type: "api", visitorId: visitorId, timestamp: now, context: relayed, endpoint: endpoint, method: method, statusCode: status,
                responseTime: milliseconds)
        ]
        if let pageURL {
            events.append(TrackedEvent(type: "pageview", visitorId: visitorId, timestamp: now, context: relayed, url: pageURL, referrer: relayed.referrer))
        }
        return events
    }

    /// The matched route's pattern, so calls group by route; the path when none matched.
    static func endpoint(_ request: Request, context: Context) -> String {
        if let path = context.endpointPath, path != "NotFound" { return path.hasPrefix("/") ? path : "/" + path }
        return request.uri.path
    }

    /// The page's URL as the browser asked for it (scheme from the request, host from `Host`).
    static func pageURL(_ request: Request) -> String {
        let scheme = request.head.scheme ?? "http"
        let host = request.head.authority ?? "localhost"
        return "\(scheme)://\(host)\(request.uri.description)"
    }
}
