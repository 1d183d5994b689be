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

        var fields = CheckedFields(capacity: body.count)
        for member in body.members {
            guard let field = rules.byName[member.key] else {
                problems.append(ValidationProblem(field: path + member.key, problem: "unknown field for a \(kind.rawValue) event; put custom data in properties"))
                continue
            }
            // A null optional field is as good as absent; a null required one is reported below.
            if case .null = member.value { continue }
            if let normalised = check(member.value, against: field.rule.shape, field: path + member.key, problems: &problems) {
                fields.append(member.key, normalised, storage: field.storage)
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

        let (json, id, visitorId) = canonical(kind: kind, fields: fields, stamp: stamp)
        guard json.count <= limits.maxEventBytes else {
            let field = path.isEmpty ? "(body)" : String(path.dropLast())
            return .failure(.tooLarge([ValidationProblem(field: field, problem: "event is \(json.count) bytes, the limit is \(limits.maxEventBytes)")]))
        }
        return .success(ValidatedEvent(kind: kind, id: id, visitorId: visitorId, json: json))
    }

    /// Room reserved for a canonical event's JSON: most events fit, so the buffer is not regrown while written.
    private static let canonicalCapacity = 1024

    /// The canonical event's JSON: stamped fields first, then the event's own in the order sent.
    /// Written straight to bytes; building a `JSONObject` first cost as much again.
    private func canonical(kind: EventKind, fields: CheckedFields, stamp: RequestStamp) -> (json: [UInt8], id: String, visitorId: String) {
        let id = fields.id ?? fields.messageId ?? RandomID.uuidString()
        let visitorId = stamp.anonymous ? stamp.cookieVisitorId : fields.visitorId ?? stamp.cookieVisitorId
        var event = JSONObjectWriter(capacity: Self.canonicalCapacity)
        event.append("id", .string(id))
        event.append("type", .string(kind.rawValue))
        event.append("visitorId", .string(visitorId))
        event.append("timestamp", fields.timestamp ?? .int(stamp.receivedAt))
        event.append("receivedAt", .int(stamp.receivedAt))
        if let ip = stamp.ip { event.append("ip", .string(ip)) }
        if let ua = stamp.userAgent { event.append("ua", .string(ua)) }
        if let siteId = stamp.siteId { event.append("siteId", .string(siteId)) }
        var redactions = 0
        for field in fields.members {
            switch field.storage {
            case .eventId, .messageId, .visitorId, .timestamp, .consumed: continue
            case .identifying where stamp.anonymous: continue
            case .redacted where redactor != nil:
                let (value, count) = redactor!.redact(field.value)
                redactions += count
                event.append(field.key, value)
            default: event.append(field.key, field.value)
            }
        }
        if redactions > 0 { event.append("redactions", .int(Int64(redactions))) }
        return (event.finish(), id, visitorId)
    }

    /// Checks one value; returns it normalised (timestamps as epoch ms) or nil after recording a problem.
    /// `field` is only spelled out when there is a problem to report.
    private func check(_ value: JSONValue, against shape: FieldRule.Shape, field: @autoclosure () -> String, problems: inout [ValidationProblem]) -> JSONValue? {
        func fail(_ problem: String) -> JSONValue? {
            problems.append(ValidationProblem(field: field(), problem: problem))
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
            return checkKeys(value, field: field(), problems: &problems)
        case .freeForm:
            return checkKeys(value, field: field(), problems: &problems)
        }
    }

    /// The value, or nil after reporting every key MongoDB would read as an operator
    /// or a path (`$…`, `a.b`), anywhere in it.
    private func checkKeys(_ value: JSONValue, field: @autoclosure () -> String, problems: inout [ValidationProblem]) -> JSONValue? {
        guard Self.hasMongoReservedKey(value) else { return value }
        reportMongoReservedKeys(value, field: field(), problems: &problems)
        return nil
    }

    /// Whether a key anywhere in the value is one `checkKeys` rejects: the cheap test
    /// run on every free-form field, before any problem's field path is spelled out.
    private static func hasMongoReservedKey(_ value: JSONValue) -> Bool {
        switch value {
        case .object(let object): return object.members.contains { isMongoOperator($0.key) || isMongoPath($0.key) || hasMongoReservedKey($0.value) }
        case .array(let elements): return elements.contains(where: hasMongoReservedKey)
        default: return false
        }
    }

    /// `$…` keys are MongoDB operators.
    private static func isMongoOperator(_ key: String) -> Bool { key.utf8.first == UInt8(ascii: "$") }

    /// `a.b` keys are MongoDB paths.
    private static func isMongoPath(_ key: String) -> Bool {
        var key = key
        return key.withUTF8 { $0.contains(UInt8(ascii: ".")) }
    }

    /// Reports each key MongoDB would read as an operator or a path, with its path under `field`.
    private func reportMongoReservedKeys(_ value: JSONValue, field: String, problems: inout [ValidationProblem]) {
        switch value {
        case .object(let object):
            for member in object.members {
                let path = "\(field).\(member.key)"
                if Self.isMongoOperator(member.key) {
                    problems.append(ValidationProblem(field: path, problem: "keys must not start with '$' (MongoDB operator)"))
                } else if Self.isMongoPath(member.key) {
                    problems.append(ValidationProblem(field: path, problem: "keys must not contain '.' (MongoDB path separator)"))
                }
                reportMongoReservedKeys(member.value, field: path, problems: &problems)
            }
        case .array(let elements):
            for (index, element) in elements.enumerated() {
                reportMongoReservedKeys(element, field: "\(field)[\(index)]", problems: &problems)
            }
        default:
            break
        }
    }

    private func format(_ number: Double) -> String {
        number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)
    }
}

/// The fields of an event that passed their checks, normalised, in the order sent,
/// with the ones the stamp needs picked out as they arrive.
private struct CheckedFields {
    /// A checked field and what the canonical event does with it.
    struct Member {
        let key: String
        let value: JSONValue
        let storage: EventSchema.Storage
    }

    private(set) var members: [Member] = []
    private(set) var id: String?
    private(set) var messageId: String?
    private(set) var visitorId: String?
    private(set) var timestamp: JSONValue?

    init(capacity: Int) { members.reserveCapacity(capacity) }

    mutating func append(_ key: String, _ value: JSONValue, storage: EventSchema.Storage) {
        switch storage {
        case .eventId: id = value.stringValue
        case .messageId: messageId = value.stringValue
        case .visitorId: visitorId = value.stringValue
        case .timestamp: timestamp = value
        case .consumed, .identifying, .redacted, .asSent: break
        }
        members.append(Member(key: key, value: value, storage: storage))
    }
}

/// Writes a JSON object member by member, so an object that is only serialised is never built.
private struct JSONObjectWriter {
    private var bytes: [UInt8] = []
    private var isEmpty = true

    init(capacity: Int) {
        bytes.reserveCapacity(capacity)
        bytes.append(UInt8(ascii: "{"))
    }

    mutating func append(_ key: String, _ value: JSONValue) {
        if !isEmpty { bytes.append(UInt8(ascii: ",")) }
        isEmpty = false
        JSONWriter.writeString(key, into: &bytes)
        bytes.append(UInt8(ascii: ":"))
        JSONWriter.write(value, into: &bytes)
    }

    /// The object's JSON.
    consuming func finish() -> [UInt8] {
        bytes.append(UInt8(ascii: "}"))
        return bytes
    }
}
