import Foundation
import Hummingbird

/// Adds `Server-Timing: app;dur=<ms>` to every answer, errors included: the time from the
/// request reaching the router to the handler's response being ready (the page or JSON
/// built, before its body is written out). A benchmark (`make bench-dashboard`) or a
/// browser's network panel so reads the dashboard's own time apart from the client's and
/// the network's. For the real-time event stream it is the time to its headers.
struct ServerTiming<Context: RequestContext>: RouterMiddleware {
    /// The header's name (HTTPTypes has no constant for it).
    static var header: HTTPFields.Element.Name { HTTPFields.Element.Name("Server-Timing")! }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        }
        response.headers[Self.header] = Self.value(ContinuousClock.now - started)
        return response
    }

    /// `app;dur=12.345`: milliseconds with three decimals.
    static func value(_ elapsed: Duration) -> String {
        let (seconds, attoseconds) = elapsed.components
        let microseconds = seconds * 1_000_000 + attoseconds / 1_000_000_000_000
        return "app;dur=\(microseconds / 1000).\(String(format: "%03d", Int(microseconds % 1000)))"
    }
}
