/// The field rules of every event kind (DESIGN.md's route table), plus the common fields.
public enum EventSchema {
    static let shortText = FieldRule.Shape.string(maxLength: 200)
    static let identifier = FieldRule.Shape.identifier(maxLength: 100)
    static let longText = FieldRule.Shape.string(maxLength: 16_384)
    static let milliseconds = FieldRule.Shape.number(0...86_400_000)

    /// Fields any event may carry. `id`/`messageId` become the event id;
    /// `writeKey` and `type` are consumed by ingest and not stored.
    public static let common: [FieldRule] = [
        FieldRule("id", identifier),
        FieldRule("messageId", identifier),
        FieldRule("timestamp", .timestamp),
        FieldRule("sentAt", .timestamp),
        FieldRule("visitorId", identifier),
        FieldRule("userId", shortText),
        FieldRule("sessionId", identifier),
        FieldRule("context", .freeFormObject),
        FieldRule("properties", .freeFormObject),
        FieldRule("writeKey", shortText),
        FieldRule("type", shortText),
    ]

    /// Every field a kind accepts, by name (its own and the common ones), and its
    /// required fields: built once, so validating an event allocates no rule list.
    struct Rules: Sendable {
        let byName: [String: FieldRule]
        let required: [FieldRule]
    }

    static let rules: [EventKind: Rules] = Dictionary(uniqueKeysWithValues: EventKind.allCases.map { kind in
        let own = fields(of: kind)
        var byName = Dictionary(uniqueKeysWithValues: common.map { ($0.name, $0) })
        for rule in own { byName[rule.name] = rule }
        return (kind, Rules(byName: byName, required: own.filter(\.required)))
    })

    /// The kind-specific fields.
    public static func fields(of kind: EventKind) -> [FieldRule] {
        switch kind {
        case .chat:
            return [
                FieldRule("agentId", identifier, required: true),
                FieldRule("agentName", shortText),
                FieldRule("userMessage", longText, required: true),
                FieldRule("aiResponse", longText),
                FieldRule("responseTime", milliseconds),
                FieldRule("model", shortText),
                FieldRule("language", shortText),
            ]
        case .feedback:
            return [
                FieldRule("interactionId", identifier, required: true),
                FieldRule("satisfied", .bool, required: true),
                FieldRule("feedback", longText),
            ]
        case .tool:
            return [
                FieldRule("toolName", shortText, required: true),
                FieldRule("category", shortText),
                FieldRule("inputData", .freeForm),
                FieldRule("outputData", .freeForm),
                FieldRule("success", .bool),
                FieldRule("errorMessage", longText),
                FieldRule("executionTime", milliseconds),
            ]
        case .lab:
            return [
                FieldRule("experimentName", shortText, required: true),
                FieldRule("experimentType", shortText),
                FieldRule("inputData", .freeForm),
                FieldRule("outputData", .freeForm),
                FieldRule("model", shortText),
                FieldRule("success", .bool),
                FieldRule("errorMessage", longText),
                FieldRule("processingTime", milliseconds),
            ]
        case .event:
            return [
                FieldRule("eventType", shortText, required: true),
                FieldRule("eventName", shortText, required: true),
                FieldRule("eventData", .freeForm),
                FieldRule("success", .bool),
                FieldRule("errorMessage", longText),
            ]
        case .pageview:
            return [
                FieldRule("url", .string(maxLength: 4096), required: true),
                FieldRule("referrer", .string(maxLength: 4096)),
                FieldRule("title", .string(maxLength: 1024)),
                FieldRule("pageviewId", identifier),
                FieldRule("timeSpent", milliseconds),
                FieldRule("scrollDepth", .number(0...100)),
            ]
        case .api:
            return [
                FieldRule("endpoint", .string(maxLength: 2048), required: true),
                FieldRule("method", .string(maxLength: 16), required: true),
                FieldRule("statusCode", .integer(100...599)),
                FieldRule("responseTime", milliseconds),
            ]
        }
    }
}
