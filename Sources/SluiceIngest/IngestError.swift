import Hummingbird
import SluiceCore

/// An answer other than 202, with the JSON body DESIGN.md specifies.
struct IngestError: HTTPResponseError {
    let status: HTTPResponse.Status
    let code: String
    let details: [ValidationProblem]
    var retryAfterSeconds: Int?

    /// The metric label of this refusal.
    var reason: String { code }

    static func rejection(_ rejection: EventRejection) -> IngestError {
        switch rejection {
        case .invalid(let problems): return IngestError(status: .badRequest, code: "invalid_event", details: problems)
        case .tooLarge(let problems): return IngestError(status: .contentTooLarge, code: "too_large", details: problems)
        }
    }

    static func unavailable(_ message: String, retryAfterSeconds: Int) -> IngestError {
        IngestError(status: .serviceUnavailable, code: "unavailable", details: [ValidationProblem(field: "(server)", problem: message)], retryAfterSeconds: retryAfterSeconds)
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var body = JSONObject()
        body["error"] = .string(code)
        body["details"] = .array(details.map { .object(JSONObject([("field", .string($0.field)), ("problem", .string($0.problem))])) })
        var headers: HTTPFields = [.contentType: "application/json"]
        if let retryAfterSeconds { headers[.retryAfter] = String(retryAfterSeconds) }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: JSONWriter.bytes(of: .object(body)))))
    }
}
