import Hummingbird
import SluiceCore
import SluiceValidation

/// An answer other than 202, with the JSON body DESIGN.md specifies.
struct IngestError: HTTPResponseError {
    let status: HTTPResponse.Status
    let code: String
    let details: [ValidationProblem]
    var retryAfterSeconds: Int?

    /// The most problems an answer lists: a body of 40,000 unknown keys must not
    /// buy a 4 MB answer.
    static let maxListedProblems = 100

    /// The metric label of this refusal.
    var reason: String { code }

    static func rejection(_ rejection: EventRejection) -> IngestError {
        switch rejection {
        case .invalid(let problems): return IngestError(status: .badRequest, code: "invalid_event", details: problems)
        case .tooLarge(let problems): return IngestError(status: .contentTooLarge, code: "too_large", details: problems)
        }
    }

    static func unavailable(_ message: String, retryAfterSeconds: Int) -> IngestError {
        IngestError(
            status: .serviceUnavailable, code: "unavailable", details: [ValidationProblem(field: "(server)", problem: message)],
            retryAfterSeconds: retryAfterSeconds)
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var body = JSONObject()
        body["error"] = .string(code)
        var listed = details.prefix(Self.maxListedProblems).map { $0 }
        if details.count > Self.maxListedProblems {
            listed.append(
                ValidationProblem(
                    field: "(more)", problem: "\(details.count - Self.maxListedProblems) more problems not listed; fix the ones above and send again"))
        }
        body["details"] = .array(listed.map { .object(JSONObject([("field", .string($0.field)), ("problem", .string($0.problem))])) })
        var headers: HTTPFields = [.contentType: "application/json"]
        if let retryAfterSeconds { headers[.retryAfter] = String(retryAfterSeconds) }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: JSONWriter.bytes(of: .object(body)))))
    }
}
