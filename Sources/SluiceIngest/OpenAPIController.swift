import Hummingbird

/// Serves the OpenAPI description of this API at `GET /openapi.json`.
///
/// The document is `OpenAPI/openapi.json`, embedded in this module at build time and
/// the one source of truth (`docs/openapi.json` links to it); schemathesis checks the
/// live ingest against it in the test command (tests/api/).
struct OpenAPIController: Sendable {
    static let contentType = "application/json"
    static let cacheControl = "no-cache"

    /// The document as served.
    let document: ByteBuffer

    /// Serves `document`, by default the one built into this executable.
    init(document: ByteBuffer = ByteBuffer(bytes: EmbeddedFile.openapiJson)) {
        self.document = document
    }

    /// Adds `GET /openapi.json`.
    func addRoutes(to router: Router<IngestRequestContext>) {
        router.get("openapi.json") { _, _ in
            Response(
                status: .ok, headers: [.contentType: Self.contentType, .cacheControl: Self.cacheControl], body: .init(byteBuffer: document))
        }
    }
}
