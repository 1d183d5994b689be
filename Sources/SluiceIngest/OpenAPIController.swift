import Foundation
import Hummingbird
import Logging
import SluiceCore

/// Serves the OpenAPI description of this API at `GET /openapi.json`.
///
/// The document is `OpenAPI/openapi.json`, a resource of this module and the one
/// source of truth (`docs/openapi.json` links to it); schemathesis checks the
/// live ingest against it in the test command (tests/api/).
struct OpenAPIController: Sendable {
    static let contentType = "application/json"
    static let cacheControl = "no-cache"

    /// The document as served; nil when the resource bundle is missing.
    let document: ByteBuffer?

    init(document: ByteBuffer?) {
        self.document = document
    }

    /// Loads the document shipped with the executable; logs an error (and answers 404) without it.
    init(logger: Logger) {
        self.init(document: Self.load())
        if document == nil {
            logger.error("openapi.json not found, GET /openapi.json answers 404; copy the resource bundle beside the executable")
        }
    }

    func addRoutes(to router: Router<IngestRequestContext>) {
        router.get("openapi.json") { _, _ in
            guard let document else {
                throw IngestError(
                    status: .notFound, code: "not_found",
                    details: [ValidationProblem(field: "(server)", problem: "this ingest was deployed without openapi.json (its resource bundle)")])
            }
            return Response(
                status: .ok, headers: [.contentType: Self.contentType, .cacheControl: Self.cacheControl], body: .init(byteBuffer: document))
        }
    }

    /// Reads `openapi.json` from the module's resource bundle.
    static func load() -> ByteBuffer? {
        BundledResource.contents(of: "openapi", withExtension: "json").map { ByteBuffer(bytes: $0) }
    }
}
