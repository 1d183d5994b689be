import CMongoc

/// Conversions from a `bson_t` to text.
enum BSONText {
    /// Canonical extended JSON of `bson` (dates as `{"$date":{"$numberLong":...}}`).
    static func canonicalExtendedJSON(_ bson: OpaquePointer) -> String {
        var length = 0
        guard let text = bson_as_canonical_extended_json(bson, &length) else {
            // libbson returns NULL only for a corrupt document.
            return "<invalid BSON>"
        }
        defer { bson_free(text) }
        let bytes = UnsafeRawBufferPointer(start: text, count: length)
        return String(decoding: bytes, as: UTF8.self)
    }
}
