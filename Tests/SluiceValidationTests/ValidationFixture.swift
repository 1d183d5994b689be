import SluiceCore
import SluiceValidation
import Testing

/// The validator tests' request stamp and minimal event bodies.
enum Fixture {
    /// 2026-11-25T12:00:00Z.
    static let receivedAt: Int64 = 1_795_608_000_000

    /// A request stamp with every field set.
    static let stamp = RequestStamp(receivedAt: receivedAt, ip: "203.0.113.0", userAgent: "TestAgent/1.0", cookieVisitorId: "cookie-visitor")

    /// The smallest valid body of each kind, as JSON text.
    static func minimalBody(_ kind: EventKind) -> String {
        switch kind {
        case .chat: return #"{"agentId":"agent-1","userMessage":"hello"}"#
        case .feedback: return #"{"interactionId":"int-1","satisfied":true}"#
        case .tool: return #"{"toolName":"calculator"}"#
        case .lab: return #"{"experimentName":"prompt-a"}"#
        case .event: return #"{"eventType":"auth","eventName":"signup"}"#
        case .pageview: return #"{"url":"https://example.com/docs?x=1"}"#
        case .api: return #"{"endpoint":"/v1/things","method":"GET"}"#
        }
    }

    /// The required fields of each kind, per DESIGN.md's route table.
    static func requiredFields(_ kind: EventKind) -> [String] {
        switch kind {
        case .chat: return ["agentId", "userMessage"]
        case .feedback: return ["interactionId", "satisfied"]
        case .tool: return ["toolName"]
        case .lab: return ["experimentName"]
        case .event: return ["eventType", "eventName"]
        case .pageview: return ["url"]
        case .api: return ["endpoint", "method"]
        }
    }

    /// The minimal body of `kind` as an object, with `changes` (JSON text values) applied; `nil` text removes the key.
    static func body(_ kind: EventKind, _ changes: [(String, String?)] = []) throws -> JSONValue {
        var object = try #require(try JSONParser.parse(minimalBody(kind)).objectValue)
        for (key, text) in changes {
            object[key] = try text.map { try JSONParser.parse($0) }
        }
        return .object(object)
    }
}

extension Result {
    /// The success value, if any.
    var value: Success? {
        if case .success(let value) = self { return value }
        return nil
    }

    /// The failure, if any.
    var error: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}

extension EventValidator {
    /// Validates JSON text of `kind` with the fixture stamp.
    func validate(_ text: String, kind: EventKind, stamp: RequestStamp = Fixture.stamp) throws -> Result<ValidatedEvent, EventRejection> {
        validate(try JSONParser.parse(text), kind: kind, stamp: stamp)
    }
}

/// The canonical JSON of an accepted event, parsed back into an object.
func canonicalObject(_ result: Result<ValidatedEvent, EventRejection>, sourceLocation: SourceLocation = #_sourceLocation) throws -> JSONObject {
    let event = try #require(result.value, "expected the event to be accepted, got \(String(describing: result.error))", sourceLocation: sourceLocation)
    return try #require(try JSONParser.parse(event.json).objectValue, sourceLocation: sourceLocation)
}

/// The problems of a refused event or batch (empty if it was accepted).
func problems<T>(_ result: Result<T, EventRejection>) -> [ValidationProblem] {
    result.error?.problems ?? []
}

/// The fields named by a refused event's problems.
func problemFields<T>(_ result: Result<T, EventRejection>) -> [String] {
    problems(result).map(\.field)
}
