import Foundation
import Hummingbird
import Logging
import SluiceCore

/// Serves the browser tracker at `GET /tracker.js` (and `HEAD`), cacheable, with
/// an ETag and `304 Not Modified` on a matching `If-None-Match`.
struct TrackerController: Sendable {
    static let cacheControl = "public, max-age=3600"
    static let contentType = "text/javascript; charset=utf-8"

    let script: TrackerScript?

    init(script: TrackerScript?) {
        self.script = script
    }

    /// Loads the script shipped with the executable; logs an error (and answers 404) without it.
    init(logger: Logger) {
        self.init(script: TrackerScript.load())
        if script == nil {
            let searched = BundledResource.candidateBundles().map(\.path).joined(separator: ", ")
            logger.error("tracker.js not found, GET /tracker.js answers 404; copy the resource bundle beside the executable (searched \(searched))")
        }
    }

    func addRoutes(to router: Router<IngestRequestContext>) {
        router.get("tracker.js") { request, _ in try response(to: request) }
        // This router does not derive HEAD from GET; the length is the one a GET would send.
        router.head("tracker.js") { request, _ in
            var head = try response(to: request).createHeadResponse()
            if head.status == .ok, let script { head.headers[.contentLength] = String(script.body.readableBytes) }
            return head
        }
    }

    func response(to request: Request) throws -> Response {
        guard let script else {
            throw IngestError(
                status: .notFound, code: "not_found",
                details: [ValidationProblem(field: "(server)", problem: "this ingest was deployed without tracker.js (its resource bundle)")])
        }
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
