import Foundation
import Hummingbird

/// Serves the browser tracker at `GET /tracker.js` (and `HEAD`), cacheable, with
/// an ETag and `304 Not Modified` on a matching `If-None-Match`.
struct TrackerController: Sendable {
    static let cacheControl = "public, max-age=3600"
    static let contentType = "text/javascript; charset=utf-8"

    let script: TrackerScript

    /// Serves `script`, by default the one built into this executable.
    init(script: TrackerScript = .embedded) {
        self.script = script
    }

    /// Adds `GET` and `HEAD /tracker.js`.
    func addRoutes(to router: Router<IngestRequestContext>) {
        router.get("tracker.js") { request, _ in response(to: request) }
        // This router does not derive HEAD from GET; the length is the one a GET would send.
        router.head("tracker.js") { request, _ in
            var head = response(to: request).createHeadResponse()
            if head.status == .ok { head.headers[.contentLength] = String(script.body.readableBytes) }
            return head
        }
    }

    /// The script, or `304 Not Modified` when the request already holds this version.
    func response(to request: Request) -> Response {
        var headers: HTTPFields = [.cacheControl: Self.cacheControl, .eTag: script.etag]
        if Self.matches(request.headers[values: .ifNoneMatch], etag: script.etag) {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentType] = Self.contentType
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: script.body))
    }

    /// RFC 9110 §13.1.2: `*` or any listed tag, compared weakly (a `W/` prefix is ignored).
    static func matches(_ ifNoneMatch: [String], etag: String) -> Bool {
        ifNoneMatch.flatMap { $0.split(separator: ",") }.contains { candidate in
            var tag = candidate.trimmingCharacters(in: .whitespaces)
            if tag.hasPrefix("W/") { tag.removeFirst(2) }
            return tag == "*" || tag == etag
        }
    }
}
