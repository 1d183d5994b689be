import SluiceCore

extension EventValidator {
    /// Validates a `{"batch": [...]}` body whose elements name their kind in `type`.
    ///
    /// A batch is accepted or refused as a whole, so a client never has to work
    /// out which half of its batch was stored.
    public func validateBatch(_ value: JSONValue, stamp: RequestStamp) -> Result<[ValidatedEvent], EventRejection> {
        guard case .object(let body) = value else {
            return .failure(.invalid([ValidationProblem(field: "(body)", problem: "must be a JSON object with a \"batch\" array, got \(value.typeName)")]))
        }
        let unknown = body.members.lazy.filter { $0.key != "batch" && $0.key != "writeKey" && $0.key != "sentAt" }.prefix(ValidationProblem.mostReported)
        var problems: [ValidationProblem] = Array(unknown).map {
            ValidationProblem(
                field: ValidationProblem.fieldName($0.key), problem: "unknown field; a batch body holds \"batch\" (and optionally \"writeKey\", \"sentAt\")")
        }
        if let writeKey = body["writeKey"], writeKey.stringValue == nil {
            problems.append(ValidationProblem(field: "writeKey", problem: "must be a string, got \(writeKey.typeName)"))
        }
        // A batch-level sentAt applies to every element that has none of its own.
        var batchSentAt: JSONValue?
        if let sentAt = body["sentAt"] {
            if let millis = Timestamp.milliseconds(from: sentAt), (Timestamp.earliest...Timestamp.latest).contains(millis) {
                batchSentAt = .int(millis)
            } else {
                problems.append(ValidationProblem(field: "sentAt", problem: "must be an ISO 8601 date-time or epoch milliseconds between 2000 and 2100"))
            }
        }
        guard case .array(var elements)? = body["batch"] else {
            problems.append(ValidationProblem(field: "batch", problem: body.contains("batch") ? "must be an array" : "is required"))
            return .failure(.invalid(problems))
        }
        guard !elements.isEmpty else {
            return .failure(.invalid(problems + [ValidationProblem(field: "batch", problem: "must hold at least one event")]))
        }
        guard elements.count <= limits.maxBatchEvents else {
            return .failure(.tooLarge([ValidationProblem(field: "batch", problem: "holds \(elements.count) events, the limit is \(limits.maxBatchEvents)")]))
        }
        if let batchSentAt {
            elements = elements.map { element in
                guard var object = element.objectValue, object["sentAt"] == nil else { return element }
                object["sentAt"] = batchSentAt
                return .object(object)
            }
        }
        var events: [ValidatedEvent] = []
        events.reserveCapacity(elements.count)
        var oversize: [ValidationProblem] = []
        let stampTail = Self.stampTail(stamp)
        var output = JSONOutput(capacity: Self.batchOutputCapacity)
        for (index, element) in elements.enumerated() {
            // Refused either way: past this many problems, the rest of the batch is not read.
            guard problems.count + oversize.count < ValidationProblem.mostReported else { break }
            let path = "batch[\(index)]."
            guard case .string(let typeName)? = element.objectValue?["type"] else {
                problems.append(
                    ValidationProblem(
                        field: path + "type", problem: element.objectValue == nil ? "event must be a JSON object" : "is required: one of \(Self.kindNames)"))
                continue
            }
            guard let kind = Self.kind(named: typeName) else {
                problems.append(
                    ValidationProblem(field: path + "type", problem: "unknown type \"\(ValidationProblem.fieldName(typeName))\": one of \(Self.kindNames)"))
                continue
            }
            switch validate(element, kind: kind, stamp: stamp, stampTail: stampTail, path: path, output: &output) {
            case .success(let event): events.append(event)
            case .failure(.invalid(let found)): problems.append(contentsOf: found)
            case .failure(.tooLarge(let found)): oversize.append(contentsOf: found)
            }
        }
        if !problems.isEmpty { return .failure(.invalid(problems + oversize)) }
        if !oversize.isEmpty { return .failure(.tooLarge(oversize)) }
        return .success(events)
    }

    /// Room for one canonical event, reused by every event of a batch.
    private static let batchOutputCapacity = 4096

    /// Every kind with its name.
    private static let kindsByName = EventKind.allCases.map { (name: $0.rawValue, kind: $0) }

    /// The kind called `name`. Comparing with each name is cheaper than
    /// `EventKind(rawValue:)`, whose string switch cost some 400 instructions an event.
    private static func kind(named name: String) -> EventKind? {
        for entry in kindsByName where entry.name == name { return entry.kind }
        return nil
    }

    static let kindNames = EventKind.allCases.map(\.rawValue).joined(separator: ", ")
}
