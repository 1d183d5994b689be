/// A parsed JSON value. Objects keep their keys in document order, so an event
/// is written to the stream (and later to MongoDB) with the fields as sent.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// An integer literal that fits in 64 bits (no fraction, no exponent).
    case int(Int64)
    /// Any other number.
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// The string, if this value is one.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The object, if this value is one.
    public var objectValue: JSONObject? {
        if case .object(let o) = self { return o }
        return nil
    }

    /// Whether this value is an array or an object.
    package var isContainer: Bool {
        switch self {
        case .array, .object: return true
        default: return false
        }
    }

    /// The number as a `Double`, if this value is an integer or a double.
    public var numberValue: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }

    /// The name of this value's JSON type, for error messages.
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .int, .double: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}

/// A JSON object: ordered key/value pairs with unique keys.
public struct JSONObject: Sendable, Equatable {
    /// One key and its value.
    ///
    /// A struct rather than a tuple: arrays of tuples are copied and destroyed
    /// through generic tuple metadata, which was a tenth of ingest's cost.
    public struct Member: Sendable, Equatable {
        /// The key.
        public let key: String
        /// The value.
        public var value: JSONValue
    }

    /// The members in document order.
    public private(set) var members: [Member]

    /// An empty object.
    public init() { members = [] }

    /// An object of members whose keys the parser has checked to be unique.
    init(uncheckedMembers: [Member]) {
        members = uncheckedMembers
    }

    /// An object of the given pairs; a later duplicate key replaces an earlier one.
    public init(_ pairs: [(String, JSONValue)]) {
        members = []
        members.reserveCapacity(pairs.count)
        for (k, v) in pairs { self[k] = v }
    }

    /// Looks a key up, or sets it (appending new keys, removing on `nil`).
    public subscript(key: String) -> JSONValue? {
        get {
            for member in members where Self.same(member.key, key) { return member.value }
            return nil
        }
        set {
            if let index = members.firstIndex(where: { Self.same($0.key, key) }) {
                if let newValue { members[index].value = newValue } else { members.remove(at: index) }
            } else if let newValue {
                members.append(Member(key: key, value: newValue))
            }
        }
    }

    /// Replaces the value of the member at `index` (of `members`).
    package mutating func setValue(_ value: JSONValue, at index: Int) {
        members[index].value = value
    }

    /// Whether the object holds `key`.
    public func contains(_ key: String) -> Bool { members.contains { Self.same($0.key, key) } }

    /// Key equality, settled by the byte count first: most keys of an object differ in
    /// length, and comparing counts is far cheaper than comparing strings.
    static func same(_ a: String, _ b: String) -> Bool { a.utf8.count == b.utf8.count && a == b }

    /// The number of members.
    public var count: Int { members.count }
}
