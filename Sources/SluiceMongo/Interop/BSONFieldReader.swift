import CMongoc

/// Reads fields of a document through a `bson_iter_t` positioned on them.
/// Every iterator lives in `BSONStorage.withIterator` storage.
enum BSONFieldReader {
    /// Calls `body` with an iterator on each top-level field of `document`.
    static func forEachField(of document: OpaquePointer, _ body: (OpaquePointer) -> Void) {
        BSONStorage.withIterator { iterator in
            guard bson_iter_init(iterator, document) else { return }
            while bson_iter_next(iterator) { body(iterator) }
        }
    }

    /// Calls `body` with an iterator on each field of the sub-document or
    /// array that `iterator` is positioned on (nothing for other types).
    static func forEachField(inside iterator: OpaquePointer, _ body: (OpaquePointer) -> Void) {
        BSONStorage.withIterator { child in
            guard bson_iter_recurse(iterator, child) else { return }
            while bson_iter_next(child) { body(child) }
        }
    }

    /// The key of the current field.
    static func key(_ iterator: OpaquePointer) -> String {
        String(cString: bson_iter_key(iterator))
    }

    /// The current field as an integer (int32, int64, double or bool), else 0.
    static func int(_ iterator: OpaquePointer) -> Int {
        Int(truncatingIfNeeded: bson_iter_as_int64(iterator))
    }

    /// The current field as a string if it is UTF-8, else nil.
    static func string(_ iterator: OpaquePointer) -> String? {
        guard bson_iter_type(iterator) == BSON_TYPE_UTF8 else { return nil }
        var length: UInt32 = 0
        guard let text = bson_iter_utf8(iterator, &length) else { return nil }
        return String(decoding: UnsafeRawBufferPointer(start: text, count: Int(length)), as: UTF8.self)
    }

    /// The bytes of the current field if it is binary, else none.
    static func binary(_ iterator: OpaquePointer) -> [UInt8] {
        guard bson_iter_type(iterator) == BSON_TYPE_BINARY else { return [] }
        var subtype = BSON_SUBTYPE_BINARY
        var length: UInt32 = 0
        var bytes: UnsafePointer<UInt8>?
        bson_iter_binary(iterator, &subtype, &length, &bytes)
        guard let bytes else { return [] }
        return Array(UnsafeBufferPointer(start: bytes, count: Int(length)))
    }
}
