import FoundationEssentials

/// Checks a JSON event against its kind's rules and produces the canonical event.
///
/// Every problem is collected, not just the first, so a client developer can
/// fix a payload in one round. No input can make it trap.
public struct EventValidator: Sendable {
    /// The limits enforced.
    public let limits: EventLimits
    /// Scrubs personal data from chat texts and free-form fields; nil keeps them as sent.
    public let redactor: Redactor?
    /// The fields the redactor reads.
    static let redactedFields: Set<String> = [
        "userMessage", "aiResponse", "feedback", "errorMessage", "properties", "eventData", "inputData", "outputData", "context",
    ]

    /// A validator with the given limits and redaction.
    public init(limits: EventLimits = EventLimits(), redactor: Redactor? = nil) {
        self.limits = limits
        self.redactor = redactor
    }

    /// Validates one event of `kind`. `path` prefixes field names in problems (e.g. `batch[3].`).
    public func validate(_ value: JSONValue, kind: EventKind, stamp: RequestStamp, path: String = "") -> Result<ValidatedEvent, EventRejection> {
        guard case .object(let body) = value else {
            let field = path.isEmpty ? "(body)" : String(path.dropLast())
            return .failure(.invalid([ValidationProblem(field: field, problem: "must be a JSON object, got \(value.typeName)")]))
        }
        var problems: [ValidationProblem] = []
        let rules = EventSchema.rules[kind]!

        var fields = JSONObject()
        for member in body.members {
            guard let rule = rules.byName[member.key] else {
                problems.append(ValidationProblem(field: path + member.key, problem: "unknown field for a \(kind.rawValue) event; put custom data in properties"))
                continue
            }
            // A null optional field is as good as absent; a null required one is reported below.
            if case .null = member.value { continue }
            if let normalised = check(member.value, against: rule.shape, field: path + member.key, problems: &problems) {
                fields.appendUnchecked(member.key, normalised)
            }
        }
        for rule in rules.required {
            switch body[rule.name] {
            case nil: problems.append(ValidationProblem(field: path + rule.name, problem: "is required for a \(kind.rawValue) event"))
            case .null?: problems.append(ValidationProblem(field: path + rule.name, problem: "is required for a \(kind.rawValue) event, got null"))
            default: break
            }
        }
        guard problems.isEmpty else { return .failure(.invalid(problems)) }

        let event = canonical(kind: kind, fields: fields, stamp: stamp)
        let json = JSONWriter.bytes(of: .object(event.object))
        guard json.count <= limits.maxEventBytes else {
            let field = path.isEmpty ? "(body)" : String(path.dropLast())
            return .failure(.tooLarge([ValidationProblem(field: field, problem: "event is \(json.count) bytes, the limit is \(limits.maxEventBytes)")]))
        }
        return .success(ValidatedEvent(kind: kind, id: event.id, visitorId: event.visitorId, json: json))
    }

    /// Builds the canonical object: stamped fields first, then the event's own in the order sent.
    private func canonical(kind: EventKind, fields: JSONObject, stamp: RequestStamp) -> (object: JSONObject, id: String, visitorId: String) {
        let id = fields["id"]?.stringValue ?? fields["messageId"]?.stringValue ?? RandomID.uuidString()
        let visitorId = stamp.anonymous ? stamp.cookieVisitorId : fields["visitorId"]?.stringValue ?? stamp.cookieVisitorId
        var event = JSONObject()
        event.appendUnchecked("id", .string(id))
        event.appendUnchecked("type", .string(kind.rawValue))
        event.appendUnchecked("visitorId", .string(visitorId))
        event.appendUnchecked("timestamp", fields["timestamp"] ?? .int(stamp.receivedAt))
        event.appendUnchecked("receivedAt", .int(stamp.receivedAt))
        if let ip = stamp.ip { event.appendUnchecked("ip", .string(ip)) }
        if let ua = stamp.userAgent { event.appendUnchecked("ua", .string(ua)) }
        if let siteId = stamp.siteId { event.appendUnchecked("siteId", .string(siteId)) }
        var redactions = 0
        for member in fields.members {
            switch member.key {
            case "id", "messageId", "visitorId", "timestamp", "type", "writeKey": continue
            // (A `where` after several patterns binds to the last only, hence two cases.)
            case "userId" where stamp.anonymous: continue
            case "sessionId" where stamp.anonymous: continue
            case _ where redactor != nil && Self.redactedFields.contains(member.key):
                let (value, count) = redactor!.redact(member.value)
                redactions += count
                event.appendUnchecked(member.key, value)
            default: event.appendUnchecked(member.key, member.value)
            }
        }
        if redactions > 0 { event.appendUnchecked("redactions", .int(Int64(redactions))) }
        return (event, id, visitorId)
    }

    /// Checks one value; returns it normalised (timestamps as epoch ms) or nil after recording a problem.
    private func check(_ value: JSONValue, against shape: FieldRule.Shape, field: String, problems: inout [ValidationProblem]) -> JSONValue? {
        func fail(_ problem: String) -> JSONValue? {
            problems.append(ValidationProblem(field: field, problem: problem))
            return nil
        }
        switch shape {
        case .string(let maxLength):
            guard case .string(let text) = value else { return fail("must be a string, got \(value.typeName)") }
            guard text.utf8.count <= maxLength else { return fail("is \(text.utf8.count) bytes long, the limit is \(maxLength)") }
            return value
        case .identifier(let maxLength):
            guard case .string(let text) = value else { return fail("must be a string, got \(value.typeName)") }
            guard !text.isEmpty else { return fail("must not be empty") }
            guard text.utf8.count <= maxLength else { return fail("is \(text.utf8.count) bytes long, the limit is \(maxLength)") }
            return value
        case .number(let range):
            guard let number = value.numberValue else { return fail("must be a number, got \(value.typeName)") }
            guard range.contains(number) else { return fail("must be between \(format(range.lowerBound)) and \(format(range.upperBound)), got \(format(number))") }
            return value
        case .integer(let range):
            guard case .int(let integer) = value else { return fail("must be an integer, got \(value.typeName == "number" ? "a fraction" : value.typeName)") }
            guard range.contains(integer) else { return fail("must be between \(range.lowerBound) and \(range.upperBound), got \(integer)") }
            return value
        case .bool:
            guard case .bool = value else { return fail("must be true or false, got \(value.typeName)") }
            return value
        case .timestamp:
            guard let millis = Timestamp.milliseconds(from: value) else {
                return fail("must be an ISO 8601 date-time (2026-11-25T12:00:00Z) or epoch milliseconds")
            }
            guard (Timestamp.earliest...Timestamp.latest).contains(millis) else {
                return fail("is outside 2000-01-01 to 2100-01-01 (epoch milliseconds expected, not seconds)")
            }
            return .int(millis)
        case .freeFormObject:
            guard case .object = value else { return fail("must be an object, got \(value.typeName)") }
            return checkKeys(value, field: field, problems: &problems) ? value : nil
        case .freeForm:
            return checkKeys(value, field: field, problems: &problems) ? value : nil
        }
    }

    /// Rejects keys MongoDB would read as operators or paths (`$…`, `a.b`), anywhere in the value.
    private func checkKeys(_ value: JSONValue, field: String, problems: inout [ValidationProblem]) -> Bool {
        switch value {
        case .object(let object):
            var clean = true
            for member in object.members {
                let path = "\(field).\(member.key)"
                if member.key.hasPrefix("$") {
                    problems.append(ValidationProblem(field: path, problem: "keys must not start with '$' (MongoDB operator)"))
                    clean = false
                } else if member.key.contains(".") {
                    problems.append(ValidationProblem(field: path, problem: "keys must not contain '.' (MongoDB path separator)"))
                    clean = false
                }
                clean = checkKeys(member.value, field: path, problems: &problems) && clean
            }
            return clean
        case .array(let elements):
            var clean = true
            for (index, element) in elements.enumerated() {
                clean = checkKeys(element, field: "\(field)[\(index)]", problems: &problems) && clean
            }
            return clean
        default:
            return true
        }
    }

    private func format(_ number: Double) -> String {
        number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)
    }
}
