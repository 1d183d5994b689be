import FoundationEssentials
import SluiceCore

/// Checks a JSON event against its kind's rules and produces the canonical event.
///
/// Every problem is collected, not just the first, so a client developer can
/// fix a payload in one round. No input can make it trap.
public struct EventValidator: Sendable {
    /// The limits enforced.
    public let limits: EventLimits
    /// Scrubs personal data from chat texts and free-form fields; nil keeps them as sent.
    public let redactor: Redactor?
    /// Takes secrets out of page URLs, referrers and API endpoints; nil keeps them as sent.
    public let urlScrubber: URLScrubber?
    /// A validator with the given limits, redaction and URL scrubbing.
    public init(limits: EventLimits = EventLimits(), redactor: Redactor? = nil, urlScrubber: URLScrubber? = URLScrubber()) {
        self.limits = limits
        self.redactor = redactor
        self.urlScrubber = urlScrubber
    }

    /// Validates one event of `kind`. `path` prefixes field names in problems (e.g. `batch[3].`).
    public func validate(_ value: JSONValue, kind: EventKind, stamp: RequestStamp, path: String = "") -> Result<ValidatedEvent, EventRejection> {
        var output = JSONOutput(capacity: Self.canonicalCapacity)
        return validate(value, kind: kind, stamp: stamp, stampTail: Self.stampTail(stamp), path: path, output: &output)
    }

    /// Validates one event, writing its canonical JSON in `output` (a buffer reused
    /// across a batch) and ending it with `stampTail`, the request's stamped fields.
    func validate(_ value: JSONValue, kind: EventKind, stamp: RequestStamp, stampTail: [UInt8], path: String, output: inout JSONOutput) -> Result<
        ValidatedEvent, EventRejection
    > {
        guard case .object(let body) = value else {
            let field = path.isEmpty ? "(body)" : String(path.dropLast())
            return .failure(.invalid([ValidationProblem(field: field, problem: "must be a JSON object, got \(value.typeName)")]))
        }
        var problems: [ValidationProblem] = []
        let rules = EventSchema.rules[kind]!

        var fields = CheckedFields(capacity: body.count)
        // Keys are unique, so when this reaches the number of required fields, all are
        // present and the body need not be searched for them.
        var requiredPresent = 0
        for (position, member) in body.members.enumerated() {
            guard let field = rules.byName[member.key] else {
                guard problems.count < ValidationProblem.mostReported else { continue }
                problems.append(
                    ValidationProblem(
                        field: path + ValidationProblem.fieldName(member.key),
                        problem: "unknown field for a \(kind.rawValue) event; put custom data in properties"))
                continue
            }
            // A null optional field is as good as absent; a null required one is reported below.
            if case .null = member.value { continue }
            if field.rule.required { requiredPresent += 1 }
            switch check(member.value, against: field.rule.shape, field: path + member.key, problems: &problems) {
            case .failed: break
            case .asSent: fields.append(memberAt: position, member.value, storage: field.storage)
            case .milliseconds(let millis): fields.append(memberAt: position, member.value, storage: field.storage, milliseconds: millis)
            }
        }
        if requiredPresent < rules.required.count {
            for rule in rules.required {
                switch body[rule.name] {
                case nil: problems.append(ValidationProblem(field: path + rule.name, problem: "is required for a \(kind.rawValue) event"))
                case .null?: problems.append(ValidationProblem(field: path + rule.name, problem: "is required for a \(kind.rawValue) event, got null"))
                default: break
                }
            }
        }
        guard problems.isEmpty else { return .failure(.invalid(problems)) }

        let tail = Self.relayedStampTail(body, stamp: stamp) ?? stampTail
        let (id, visitorId) = writeCanonical(kind: kind, body: body, fields: fields, stamp: stamp, stampTail: tail, into: &output)
        guard output.count <= limits.maxEventBytes else {
            let field = path.isEmpty ? "(body)" : String(path.dropLast())
            return .failure(.tooLarge([ValidationProblem(field: field, problem: "event is \(output.count) bytes, the limit is \(limits.maxEventBytes)")]))
        }
        return .success(ValidatedEvent(kind: kind, id: id, visitorId: visitorId, json: output.bytes))
    }

    /// Room reserved for a canonical event's JSON: most events fit, so the buffer is not regrown while written.
    private static let canonicalCapacity = 1024

    /// The canonical fields that come from the request alone, after `timestamp`:
    /// `receivedAt`, `ip`, `ua`, `siteId`. The same for every event of a request,
    /// so a batch writes them once.
    static func stampTail(_ stamp: RequestStamp) -> [UInt8] {
        var tail = JSONOutput(capacity: 64 + (stamp.userAgent?.utf8.count ?? 0))
        tail.append(",\"receivedAt\":")
        tail.appendDecimal(stamp.receivedAt)
        if let ip = stamp.ip {
            tail.append(",\"ip\":")
            tail.appendQuoted(ip)
        }
        if let ua = stamp.userAgent {
            tail.append(",\"ua\":")
            tail.appendQuoted(ua)
        }
        if let siteId = stamp.siteId {
            tail.append(",\"siteId\":")
            tail.appendQuoted(siteId)
        }
        return tail.bytes
    }

    /// Writes the canonical event's JSON in `output` (replacing what it held): stamped
    /// fields first, then the event's own in the order sent. Written straight to bytes;
    /// building a `JSONObject` first cost as much again. Returns the event's id and visitor.
    private func writeCanonical(
        kind: EventKind, body: JSONObject, fields: CheckedFields, stamp: RequestStamp, stampTail: [UInt8], into output: inout JSONOutput
    ) -> (id: String, visitorId: String) {
        let id = fields.id ?? fields.messageId ?? RandomID.uuidString()
        let visitorId = stamp.anonymous ? stamp.cookieVisitorId : fields.visitorId ?? stamp.cookieVisitorId
        output.removeAll()
        output.append("{\"id\":")
        output.appendQuoted(id)
        output.append(",\"type\":")
        output.appendQuoted(kind.rawValue)
        output.append(",\"visitorId\":")
        output.appendQuoted(visitorId)
        output.append(",\"timestamp\":")
        output.appendDecimal(fields.timestamp ?? stamp.receivedAt)
        stampTail.withUnsafeBytes { output.append($0) }
        var redactions = 0
        for field in fields.members {
            switch field.storage {
            case .eventId, .messageId, .visitorId, .timestamp, .consumed: continue
            case .identifying where stamp.anonymous: continue
            case .redacted where redactor != nil:
                let member = body.members[field.position]
                let (value, count) = redactor!.redact(member.value)
                redactions += count
                output.appendMember(member.key, value)
            case .context:
                let member = body.members[field.position]
                var value = member.value
                if let redactor {
                    let (redacted, count) = redactor.redact(value)
                    redactions += count
                    value = redacted
                }
                output.appendMember(member.key, scrubbingPageURLs(in: Self.withoutRelayedAddress(value)))
            case .url where urlScrubber != nil:
                let member = body.members[field.position]
                // The field's rule made it a string.
                let url = member.value.stringValue ?? ""
                output.appendMember(member.key, .string(urlScrubber!.scrub(url).url))
            default:
                let member = body.members[field.position]
                if let millis = field.milliseconds {
                    output.appendMember(member.key, .int(millis))
                } else {
                    output.appendMember(member.key, member.value)
                }
            }
        }
        if redactions > 0 {
            output.append(",\"redactions\":")
            output.appendDecimal(Int64(redactions))
        }
        output.append(UInt8(ascii: "}"))
        return (id, visitorId)
    }

    /// `context` without its `ip`: a server sender's relayed address is stored as the
    /// event's `ip`, kept as `SLUICE_IP_MODE` says, and a browser's is ignored, so
    /// storing it in `context` as sent would undo the address mode.
    private static func withoutRelayedAddress(_ context: JSONValue) -> JSONValue {
        guard case .object(var object) = context, object["ip"] != nil else { return context }
        object["ip"] = nil
        return .object(object)
    }

    /// `context` with the URL scrubber applied to its page's `url` and `referrer`
    /// (at its top level, as the tracker sends them, and under `page`, as Segment does).
    private func scrubbingPageURLs(in context: JSONValue) -> JSONValue {
        guard let urlScrubber, case .object(var object) = context else { return context }
        for key in ["url", "referrer"] {
            if case .string(let url)? = object[key] { object[key] = .string(urlScrubber.scrub(url).url) }
        }
        if case .object? = object["page"] { object["page"] = scrubbingPageURLs(in: object["page"]!) }
        return .object(object)
    }

    /// Checks one value: whether it passed as sent or normalised (timestamps become
    /// epoch ms), or failed after a problem was recorded.
    /// `field` is only spelled out when there is a problem to report.
    private func check(_ value: JSONValue, against shape: FieldRule.Shape, field: @autoclosure () -> String, problems: inout [ValidationProblem])
        -> CheckOutcome
    {
        func fail(_ problem: String) -> CheckOutcome {
            problems.append(ValidationProblem(field: field(), problem: problem))
            return .failed
        }
        switch shape {
        case .string(let maxLength):
            guard case .string(let text) = value else { return fail("must be a string, got \(value.typeName)") }
            guard text.utf8.count <= maxLength else { return fail("is \(text.utf8.count) bytes long, the limit is \(maxLength)") }
            return .asSent
        case .identifier(let maxLength):
            guard case .string(let text) = value else { return fail("must be a string, got \(value.typeName)") }
            guard !text.isEmpty else { return fail("must not be empty") }
            guard text.utf8.count <= maxLength else { return fail("is \(text.utf8.count) bytes long, the limit is \(maxLength)") }
            return .asSent
        case .number(let range):
            guard let number = value.numberValue else { return fail("must be a number, got \(value.typeName)") }
            guard range.contains(number) else {
                return fail("must be between \(format(range.lowerBound)) and \(format(range.upperBound)), got \(format(number))")
            }
            return .asSent
        case .integer(let range):
            guard case .int(let integer) = value else { return fail("must be an integer, got \(value.typeName == "number" ? "a fraction" : value.typeName)") }
            guard range.contains(integer) else { return fail("must be between \(range.lowerBound) and \(range.upperBound), got \(integer)") }
            return .asSent
        case .bool:
            guard case .bool = value else { return fail("must be true or false, got \(value.typeName)") }
            return .asSent
        case .timestamp:
            guard let millis = Timestamp.milliseconds(from: value) else {
                return fail("must be an ISO 8601 date-time (2026-11-25T12:00:00Z) or epoch milliseconds")
            }
            guard (Timestamp.earliest...Timestamp.latest).contains(millis) else {
                return fail("is outside 2000-01-01 to 2100-01-01 (epoch milliseconds expected, not seconds)")
            }
            return .milliseconds(millis)
        case .freeFormObject:
            guard case .object = value else { return fail("must be an object, got \(value.typeName)") }
            return checkKeys(value, field: field(), problems: &problems) ? .asSent : .failed
        case .freeForm:
            return checkKeys(value, field: field(), problems: &problems) ? .asSent : .failed
        }
    }

    /// Whether the value passed: false after reporting every key MongoDB would read
    /// as an operator or a path (`$…`, `a.b`) or cannot store at all (empty, or
    /// holding NUL, which ends a BSON key), anywhere in it.
    private func checkKeys(_ value: JSONValue, field: @autoclosure () -> String, problems: inout [ValidationProblem]) -> Bool {
        guard Self.hasUnstorableKey(value) else { return true }
        reportUnstorableKeys(value, field: field(), problems: &problems)
        return false
    }

    /// Whether a key anywhere in the value is one `checkKeys` rejects: the cheap test
    /// run on every free-form field, before any problem's field path is spelled out.
    private static func hasUnstorableKey(_ value: JSONValue) -> Bool {
        switch value {
        case .object(let object): return object.members.contains { keyProblem($0.key) != nil || hasUnstorableKey($0.value) }
        case .array(let elements): return elements.contains(where: hasUnstorableKey)
        default: return false
        }
    }

    /// Why MongoDB cannot take `key` as a field name, or nil when it can: `$…` keys
    /// are operators, `a.b` keys paths; an empty key or one holding NUL cannot be
    /// written as BSON at all.
    private static func keyProblem(_ key: String) -> String? {
        var key = key
        return key.withUTF8 { utf8 in
            guard let first = utf8.first else { return "keys must not be empty (MongoDB cannot store them)" }
            if first == UInt8(ascii: "$") { return "keys must not start with '$' (MongoDB operator)" }
            for byte in utf8 {
                if byte == UInt8(ascii: ".") { return "keys must not contain '.' (MongoDB path separator)" }
                if byte == 0 { return "keys must not contain the NUL character (\\u0000)" }
            }
            return nil
        }
    }

    /// Reports each key MongoDB cannot take, with its path under `field`, until
    /// `ValidationProblem.mostReported` problems are known. A path is spelled only for
    /// a key reported or a container entered, with every key in it cut short, so a
    /// long key above many bad ones costs neither memory nor time per descendant.
    private func reportUnstorableKeys(_ value: JSONValue, field: String, problems: inout [ValidationProblem]) {
        switch value {
        case .object(let object):
            for member in object.members {
                guard problems.count < ValidationProblem.mostReported else { return }
                let problem = Self.keyProblem(member.key)
                let isContainer = member.value.isContainer
                guard problem != nil || isContainer else { continue }
                let path = "\(field).\(ValidationProblem.fieldName(member.key))"
                if let problem { problems.append(ValidationProblem(field: path, problem: problem)) }
                if isContainer { reportUnstorableKeys(member.value, field: path, problems: &problems) }
            }
        case .array(let elements):
            for (index, element) in elements.enumerated() {
                guard problems.count < ValidationProblem.mostReported else { return }
                guard element.isContainer else { continue }
                reportUnstorableKeys(element, field: "\(field)[\(index)]", problems: &problems)
            }
        default:
            break
        }
    }

    private func format(_ number: Double) -> String {
        number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)
    }
}

/// How a field's value fared in its check.
private enum CheckOutcome {
    /// Failed; a problem was recorded.
    case failed
    /// Passed, and is stored as sent.
    case asSent
    /// Passed, and is stored as these epoch milliseconds (a timestamp).
    case milliseconds(Int64)
}

/// The fields of an event that passed their checks, in the order sent, with the
/// ones the stamp needs picked out as they arrive. A field is held by its position
/// in the body (and its normalised milliseconds), not by a copy of its key and value,
/// so collecting fields costs no reference counting.
private struct CheckedFields {
    /// A checked field and what the canonical event does with it.
    struct Member {
        /// The field's position among the body's members.
        let position: Int
        let storage: EventSchema.Storage
        /// The epoch milliseconds a timestamp field was normalised to.
        let milliseconds: Int64?
    }

    private(set) var members: [Member] = []
    private(set) var id: String?
    private(set) var messageId: String?
    private(set) var visitorId: String?
    /// The event's `timestamp`, normalised to epoch milliseconds.
    private(set) var timestamp: Int64?

    init(capacity: Int) { members.reserveCapacity(capacity) }

    /// Adds the body's member at `position`, whose value `value` passed its check;
    /// `milliseconds` is what a timestamp field was normalised to.
    mutating func append(memberAt position: Int, _ value: JSONValue, storage: EventSchema.Storage, milliseconds: Int64? = nil) {
        switch storage {
        case .eventId: id = value.stringValue
        case .messageId: messageId = value.stringValue
        case .visitorId: visitorId = value.stringValue
        case .timestamp: timestamp = milliseconds
        case .consumed, .identifying, .redacted, .context, .url, .asSent: break
        }
        members.append(Member(position: position, storage: storage, milliseconds: milliseconds))
    }
}

extension JSONOutput {
    /// Appends `,"key":value` to an object that already has a member.
    fileprivate mutating func appendMember(_ key: String, _ value: JSONValue) {
        append(UInt8(ascii: ","))
        appendQuoted(key)
        append(UInt8(ascii: ":"))
        append(value)
    }
}
