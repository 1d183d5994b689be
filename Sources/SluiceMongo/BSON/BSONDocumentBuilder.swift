import CMongoc

/// Builds one BSON document in place, field by field, without an intermediate
/// Swift representation.
///
/// Keys and string values are passed to libbson with explicit lengths. Not
/// `Sendable`: a builder is filled and written by the code that made it, and
/// the compiler keeps it from crossing to another thread or task.
public final class BSONDocumentBuilder {
    /// The heap `bson_t` made by `bson_new()` or `bson_new_from_json()`.
    /// Never a Swift stack value: with `BSON_EXTRA_ALIGN` a `bson_t` is 128-byte aligned.
    private let raw: OpaquePointer

    /// Why an append was refused (a key containing NUL, a string over 2 GiB),
    /// or nil. `MongoStore.bulkWrite` reports an operation with such a
    /// document as a failure instead of sending a silently truncated document.
    public private(set) var appendFailure: String?

    /// Creates an empty document.
    public init() {
        raw = bson_new()
    }

    /// Parses a JSON or MongoDB extended JSON text (for filters in tests and the CLI).
    public init(json: String) throws(MongoError) {
        var error = bson_error_t()
        let parsed = json.withUTF8CString { text, length in
            text.withMemoryRebound(to: UInt8.self, capacity: length + 1) {
                bson_new_from_json($0, length, &error)
            }
        }
        guard let parsed else {
            throw CError(error).mongoError(operation: "parseJSON", collection: "", context: .json)
        }
        raw = parsed
    }

    deinit {
        bson_destroy(raw)
    }

    /// Runs `body` with the underlying `bson_t`; the pointer must not escape.
    func withBSON<R, E: Error>(_ body: (OpaquePointer) throws(E) -> R) throws(E) -> R {
        try body(raw)
    }

    /// The document as canonical extended JSON, for debugging and tests.
    public var canonicalExtendedJSON: String {
        BSONText.canonicalExtendedJSON(raw)
    }

    /// Appends a UTF-8 string (embedded NUL bytes are kept).
    public func appendString(_ key: String, _ value: String) {
        guard let valueLength = Int32(exactly: value.utf8.count) else {
            return recordFailure(key, "string value longer than 2 GiB")
        }
        append(key) { bson, keyPointer, keyLength in
            value.withUTF8CString { text, _ in bson_append_utf8(bson, keyPointer, keyLength, text, valueLength) }
        }
    }

    /// Appends bytes as BSON binary (subtype 0, generic), for values that are not UTF-8 text.
    public func appendBinary(_ key: String, _ bytes: [UInt8]) {
        guard let length = UInt32(exactly: bytes.count), length <= UInt32(Int32.max) else {
            return recordFailure(key, "binary value longer than 2 GiB")
        }
        append(key) { bson, keyPointer, keyLength in
            bytes.withUnsafeBufferPointer { bson_append_binary(bson, keyPointer, keyLength, BSON_SUBTYPE_BINARY, $0.baseAddress, length) }
        }
    }

    /// Appends a 32-bit integer.
    public func appendInt32(_ key: String, _ value: Int32) {
        append(key) { bson_append_int32($0, $1, $2, value) }
    }

    /// Appends a 64-bit integer.
    public func appendInt64(_ key: String, _ value: Int64) {
        append(key) { bson_append_int64($0, $1, $2, value) }
    }

    /// Appends a double.
    public func appendDouble(_ key: String, _ value: Double) {
        append(key) { bson_append_double($0, $1, $2, value) }
    }

    /// Appends a boolean.
    public func appendBool(_ key: String, _ value: Bool) {
        append(key) { bson_append_bool($0, $1, $2, value) }
    }

    /// Appends a BSON null.
    public func appendNull(_ key: String) {
        append(key) { bson_append_null($0, $1, $2) }
    }

    /// Appends a BSON date (UTC datetime) given in milliseconds since 1970-01-01.
    public func appendDate(_ key: String, millisecondsSince1970: Int64) {
        append(key) { bson_append_date_time($0, $1, $2, millisecondsSince1970) }
    }

    /// Appends a sub-document filled by `build`.
    ///
    /// The child is a separate `bson_new()` document that is copied in with
    /// `bson_append_document` once finished. `bson_append_document_begin`
    /// would need an uninitialized child `bson_t` (128-byte aligned storage
    /// that Swift cannot declare) and would leave the parent unusable until
    /// `_end`; the copy is one `memcpy` of a small document and has no such trap.
    public func appendDocument(_ key: String, _ build: (BSONDocumentBuilder) -> Void) {
        let child = BSONDocumentBuilder()
        build(child)
        appendDocument(key, child)
    }

    /// Appends a copy of an already built document as a sub-document.
    public func appendDocument(_ key: String, _ document: BSONDocumentBuilder) {
        if let failure = document.appendFailure {
            return recordFailure(key, failure)
        }
        append(key) { bson, keyPointer, keyLength in
            document.withBSON { bson_append_document(bson, keyPointer, keyLength, $0) }
        }
    }

    /// Appends an array filled by `build` (keys "0", "1", ... are generated).
    /// Built as a separate document and copied in, like `appendDocument`.
    public func appendArray(_ key: String, _ build: (BSONArrayBuilder) -> Void) {
        let array = BSONArrayBuilder()
        build(array)
        if let failure = array.document.appendFailure {
            return recordFailure(key, failure)
        }
        append(key) { bson, keyPointer, keyLength in
            array.document.withBSON { bson_append_array(bson, keyPointer, keyLength, $0) }
        }
    }

    /// Passes the key with its explicit length to one `bson_append_*` call and
    /// records a failure if libbson refuses it (it rejects keys containing NUL).
    private func append(
        _ key: String, _ call: (OpaquePointer, UnsafePointer<CChar>, Int32) -> Bool
    ) {
        guard let keyLength = Int32(exactly: key.utf8.count) else {
            return recordFailure(key, "key longer than 2 GiB")
        }
        let appended = key.withUTF8CString { pointer, _ in call(raw, pointer, keyLength) }
        if !appended {
            recordFailure(
                key, "libbson refused the field (a key must not contain NUL; a document must stay under 2 GiB)")
        }
    }

    private func recordFailure(_ key: String, _ reason: String) {
        if appendFailure == nil {
            appendFailure = "field \(key.debugDescription): \(reason)"
        }
    }
}
