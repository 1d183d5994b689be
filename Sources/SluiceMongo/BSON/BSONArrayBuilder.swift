/// Builds a BSON array: each append adds the next element, keyed "0", "1", ...
public final class BSONArrayBuilder {
    /// The array's storage; BSON arrays are documents with index keys.
    let document = BSONDocumentBuilder()
    private var nextIndex = 0

    init() {}

    /// The number of elements appended so far.
    public var count: Int { nextIndex }

    private func nextKey() -> String {
        defer { nextIndex += 1 }
        return String(nextIndex)
    }

    /// Appends a UTF-8 string.
    public func appendString(_ value: String) { document.appendString(nextKey(), value) }

    /// Appends a 32-bit integer.
    public func appendInt32(_ value: Int32) { document.appendInt32(nextKey(), value) }

    /// Appends a 64-bit integer.
    public func appendInt64(_ value: Int64) { document.appendInt64(nextKey(), value) }

    /// Appends a double.
    public func appendDouble(_ value: Double) { document.appendDouble(nextKey(), value) }

    /// Appends a boolean.
    public func appendBool(_ value: Bool) { document.appendBool(nextKey(), value) }

    /// Appends a BSON null.
    public func appendNull() { document.appendNull(nextKey()) }

    /// Appends a BSON date given in milliseconds since 1970-01-01 (UTC).
    public func appendDate(millisecondsSince1970: Int64) {
        document.appendDate(nextKey(), millisecondsSince1970: millisecondsSince1970)
    }

    /// Appends a sub-document filled by `build`.
    public func appendDocument(_ build: (BSONDocumentBuilder) -> Void) {
        document.appendDocument(nextKey(), build)
    }

    /// Appends a copy of an already built document.
    public func appendDocument(_ value: BSONDocumentBuilder) {
        document.appendDocument(nextKey(), value)
    }

    /// Appends a nested array filled by `build`.
    public func appendArray(_ build: (BSONArrayBuilder) -> Void) {
        document.appendArray(nextKey(), build)
    }
}
