import SluiceCore

/// A stored document's canonical extended JSON read back as plain values: numbers as
/// numbers and dates as epoch milliseconds, the way the worker saw the event's fields,
/// so `EventFacts` counts a stored document as the worker counted the event.
enum ExtendedJSON {
    /// Deep enough for any stored event: the validator caps an event's nesting, and
    /// extended JSON wraps each number and date in one more object.
    static let maxDepth = 128

    /// The document of `text` with plain values, nil if it is not a JSON object.
    static func document(_ text: String) -> JSONObject? {
        guard case .object(let object)? = try? JSONParser.parse(text, maxDepth: maxDepth) else { return nil }
        return plain(object)
    }

    /// `value` with every extended JSON number or date wrapper replaced by its value.
    static func plain(_ value: JSONValue) -> JSONValue {
        switch value {
        case .array(let items): return .array(items.map(plain))
        case .object(let object): return unwrapped(object) ?? .object(plain(object))
        default: return value
        }
    }

    /// `object` with every member made plain.
    private static func plain(_ object: JSONObject) -> JSONObject {
        JSONObject(object.members.map { ($0.key, plain($0.value)) })
    }

    /// The value a one-member wrapper (`$numberInt`, `$numberLong`, `$numberDouble`,
    /// `$numberDecimal`, `$date`, `$oid`) stands for; nil for any other object.
    private static func unwrapped(_ object: JSONObject) -> JSONValue? {
        guard object.count == 1, let member = object.members.first, member.key.hasPrefix("$") else { return nil }
        switch (member.key, member.value) {
        case ("$numberInt", .string(let text)), ("$numberLong", .string(let text)):
            return Int64(text).map(JSONValue.int)
        case ("$numberDouble", .string(let text)), ("$numberDecimal", .string(let text)):
            return Double(text).map(JSONValue.double)
        case ("$date", .object(let date)):
            return date["$numberLong"]?.stringValue.flatMap(Int64.init).map(JSONValue.int)
        case ("$date", .string(let text)):
            return Timestamp.parseISO8601(text).map(JSONValue.int)
        case ("$oid", .string(let text)):
            return .string(text)
        default:
            return nil
        }
    }
}
