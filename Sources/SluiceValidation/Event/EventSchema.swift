import SluiceCore

/// The field rules of every event kind (DESIGN.md's route table), plus the common fields.
enum EventSchema {
    static let shortText = FieldRule.Shape.string(maxLength: 200)
    static let identifier = FieldRule.Shape.identifier(maxLength: 100)
    static let longText = FieldRule.Shape.string(maxLength: 16_384)
    static let milliseconds = FieldRule.Shape.number(0...86_400_000)

    /// Fields any event may carry. `id`/`messageId` become the event id;
    /// `writeKey` and `type` are consumed by ingest and not stored.
    static let common: [FieldRule] = [
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

    /// What the canonical event does with a field that passed its check.
    enum Storage: Sendable {
        /// `id`: becomes the event id.
        case eventId
        /// `messageId`: becomes the event id when there is no `id`.
        case messageId
        /// `visitorId`: becomes the visitor unless the request is anonymous.
        case visitorId
        /// `timestamp`: stamped first, defaulting to the time received.
        case timestamp
        /// `type`, `writeKey`: consumed by ingest, not stored.
        case consumed
        /// `userId`, `sessionId`: dropped when the request is anonymous.
        case identifying
        /// Free text or free-form data: stored after the redactor scrubbed it.
        case redacted
        /// `context`: free-form and redacted like the others, and its page `url`
        /// and `referrer` scrubbed like a page view's.
        case context
        /// `url`, `referrer`, `endpoint`: stored after the URL scrubber took secrets out.
        case url
        /// Stored as sent (after normalisation).
        case asSent
    }

    /// A field's rule and what the canonical event does with it.
    struct Field: Sendable {
        let rule: FieldRule
        let storage: Storage
    }

    /// Every field a kind accepts, by name (its own and the common ones), and its
    /// required fields: built once, so validating an event allocates no rule list
    /// and looks each field up once.
    struct Rules: Sendable {
        let byName: FieldTable
        let required: [FieldRule]
    }

    static let rules: [EventKind: Rules] = Dictionary(
        uniqueKeysWithValues: EventKind.allCases.map { kind in
            let own = fields(of: kind)
            var byName = Dictionary(uniqueKeysWithValues: common.map { ($0.name, $0) })
            for rule in own { byName[rule.name] = rule }
            let table = FieldTable(byName.values.map { Field(rule: $0, storage: storage(of: $0.name)) })
            return (kind, Rules(byName: table, required: own.filter(\.required)))
        })

    /// A kind's fields by name: an open-addressing table under a cheap hash of the
    /// name's bytes, looked up once per field of every event. (A `Dictionary`'s
    /// seeded SipHash cost more than checking the field.)
    struct FieldTable: Sendable {
        private let slots: [Field?]

        /// A table of fields with distinct names.
        init(_ fields: [Field]) {
            var slots = [Field?](repeating: nil, count: Self.slotCount(for: fields.count))
            for field in fields {
                var slot = Self.hash(field.rule.name) & (slots.count - 1)
                while slots[slot] != nil { slot = (slot + 1) & (slots.count - 1) }
                slots[slot] = field
            }
            self.slots = slots
        }

        /// The field called `name`, if the kind has one.
        subscript(name: String) -> Field? {
            var slot = Self.hash(name) & (slots.count - 1)
            while let field = slots[slot] {
                if field.rule.name == name { return field }
                slot = (slot + 1) & (slots.count - 1)
            }
            return nil
        }

        /// A power of two with at least half the slots empty, so probes stay short and end.
        private static func slotCount(for count: Int) -> Int {
            var slots = 8
            while slots < 2 * count { slots *= 2 }
            return slots
        }

        /// A hash of the name's length and its first and last eight bytes (all
        /// of a shorter name's): names in a table differ there, and hashing every
        /// byte cost more than the rest of the look-up.
        private static func hash(_ name: String) -> Int {
            var name = name
            return name.withUTF8 { utf8 in
                let bytes = UnsafeRawBufferPointer(utf8)
                var hash = UInt64(bytes.count)
                if bytes.count >= 8 {
                    hash ^= bytes.loadUnaligned(as: UInt64.self) &* 0x9E37_79B9_7F4A_7C15
                    hash ^= bytes.loadUnaligned(fromByteOffset: bytes.count - 8, as: UInt64.self)
                } else {
                    for byte in bytes { hash = hash << 8 | UInt64(byte) }
                }
                hash = (hash ^ hash >> 29) &* 0xBF58_476D_1CE4_E5B9
                return Int(truncatingIfNeeded: hash ^ hash >> 32)
            }
        }
    }

    /// The storage of the field called `name`, the same in every kind.
    static func storage(of name: String) -> Storage {
        switch name {
        case "id": return .eventId
        case "messageId": return .messageId
        case "visitorId": return .visitorId
        case "timestamp": return .timestamp
        case "type", "writeKey": return .consumed
        case "userId", "sessionId": return .identifying
        case "userMessage", "aiResponse", "feedback", "errorMessage", "properties", "eventData", "inputData", "outputData":
            return .redacted
        case "context": return .context
        case "url", "referrer", "endpoint": return .url
        default: return .asSent
        }
    }

    /// The kind-specific fields.
    static func fields(of kind: EventKind) -> [FieldRule] {
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
