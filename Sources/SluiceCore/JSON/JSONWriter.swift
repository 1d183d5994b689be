/// Serialises `JSONValue`s to compact UTF-8 JSON.
public enum JSONWriter {
    /// The value as compact JSON bytes.
    public static func bytes(of value: JSONValue) -> [UInt8] {
        var out = JSONOutput(capacity: 256)
        out.append(value)
        return out.bytes
    }

    /// The value as a compact JSON string.
    public static func string(of value: JSONValue) -> String {
        String(decoding: bytes(of: value), as: UTF8.self)
    }

    /// Appends the value's JSON to `out`.
    public static func write(_ value: JSONValue, into out: inout [UInt8]) {
        var json = JSONOutput(capacity: 256)
        json.append(value)
        json.copy(to: &out)
    }

    /// Appends a quoted, escaped JSON string.
    public static func writeString(_ string: String, into out: inout [UInt8]) {
        var json = JSONOutput(capacity: string.utf8.count + 2)
        json.appendQuoted(string)
        json.copy(to: &out)
    }
}
