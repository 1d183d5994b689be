import SluiceCore

/// A stored document's canonical extended JSON read back as plain values: numbers as
/// numbers, ObjectIds as hex strings and dates as epoch milliseconds (the way the worker
/// saw the event's fields, so `sluicectl` counts a stored document as the worker counted
/// the event) or as ISO 8601 strings (what the dashboard answers).
public enum ExtendedJSON {
    /// How a BSON date comes out.
    public enum DateStyle: Sendable {
        /// Epoch milliseconds, a JSON number.
        case epochMilliseconds
        /// `YYYY-MM-DDTHH:MM:SS.mmmZ`, a JSON string.
        case iso8601
    }

    /// Deep enough for any stored event: the validator caps an event's nesting, and
    /// extended JSON wraps each number and date in one more object.
    static let maxDepth = 128

    /// The document of `text` with plain values, nil if it is not a JSON object.
    public static func document(_ text: String, dates: DateStyle = .epochMilliseconds) -> JSONObject? {
        guard case .object(let object)? = try? JSONParser.parse(text, maxDepth: maxDepth) else { return nil }
        return plain(object, dates: dates)
    }

    /// `value` with every extended JSON number, date or ObjectId wrapper replaced by its value.
    public static func plain(_ value: JSONValue, dates: DateStyle = .epochMilliseconds) -> JSONValue {
        switch value {
        case .array(let items): return .array(items.map { plain($0, dates: dates) })
        case .object(let object): return unwrapped(object, dates: dates) ?? .object(plain(object, dates: dates))
        default: return value
        }
    }

    /// `object` with every member made plain.
    private static func plain(_ object: JSONObject, dates: DateStyle) -> JSONObject {
        JSONObject(object.members.map { ($0.key, plain($0.value, dates: dates)) })
    }

    /// The value a one-member wrapper (`$numberInt`, `$numberLong`, `$numberDouble`,
    /// `$numberDecimal`, `$date`, `$oid`) stands for; nil for any other object, which
    /// then stays as libbson wrote it.
    private static func unwrapped(_ object: JSONObject, dates: DateStyle) -> JSONValue? {
        guard object.count == 1, let member = object.members.first, member.key.hasPrefix("$") else { return nil }
        switch (member.key, member.value) {
        case ("$numberInt", .string(let text)), ("$numberLong", .string(let text)):
            return Int64(text).map(JSONValue.int)
        case ("$numberDouble", .string(let text)), ("$numberDecimal", .string(let text)):
            return Double(text).map(JSONValue.double)
        case ("$date", .object(let date)):
            return date["$numberLong"]?.stringValue.flatMap(Int64.init).map { dateValue(milliseconds: $0, dates) }
        case ("$date", .string(let text)):
            return Timestamp.parseISO8601(text).map { dateValue(milliseconds: $0, dates) }
        case ("$oid", .string(let text)):
            return .string(text)
        default:
            return nil
        }
    }

    /// `{"$date": {"$numberLong": "<ms>"}}`: a BSON date in canonical extended JSON, for a
    /// query filter compared against stored dates.
    public static func date(milliseconds: Int64) -> JSONValue {
        .object(JSONObject([("$date", .object(JSONObject([("$numberLong", .string(String(milliseconds)))])))]))
    }

    private static func dateValue(milliseconds: Int64, _ style: DateStyle) -> JSONValue {
        switch style {
        case .epochMilliseconds: .int(milliseconds)
        case .iso8601: .string(Timestamp.iso8601(milliseconds: milliseconds))
        }
    }
}
