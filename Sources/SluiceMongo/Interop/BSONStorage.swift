import CMongoc

/// Scoped, correctly aligned storage for the libbson structs that C functions
/// expect the caller to provide (an "uninitialized" `bson_t` reply, a
/// `bson_iter_t`).
///
/// Debian builds libbson with `BSON_EXTRA_ALIGN`, so `bson_t` and
/// `bson_iter_t` are 128-byte aligned and Swift imports them as
/// `OpaquePointer`: their size is unknown to Swift and a Swift stack value is
/// impossible. Their sizes are part of libbson 1.x's stable ABI (`bson_t` is
/// 128 bytes by design, "two 64-byte cache lines"; `bson_iter_t` is 80), so a
/// 128-byte, 128-aligned heap block fits both, with or without extra
/// alignment.
enum BSONStorage {
    /// Bytes and alignment of one storage block (>= sizeof of bson_t and bson_iter_t).
    static let blockSize = 128
    static let blockAlignment = 128

    /// Runs `body` with storage for a reply `bson_t` that a libmongoc call
    /// initializes, and destroys the reply afterwards: the one place replies
    /// are destroyed.
    ///
    /// The storage is `bson_init`ed first, so `bson_destroy` is safe even if
    /// the C call failed before touching it; libmongoc re-initializes it.
    static func withReply<R, E: Error>(_ body: (OpaquePointer) throws(E) -> R) throws(E) -> R {
        let raw = UnsafeMutableRawPointer.allocate(byteCount: blockSize, alignment: blockAlignment)
        raw.initializeMemory(as: UInt8.self, repeating: 0, count: blockSize)
        let reply = OpaquePointer(raw)
        bson_init(reply)
        defer {
            bson_destroy(reply)
            raw.deallocate()
        }
        return try body(reply)
    }

    /// Runs `body` with zeroed storage for one `bson_iter_t` (which needs no cleanup).
    static func withIterator<R, E: Error>(_ body: (OpaquePointer) throws(E) -> R) throws(E) -> R {
        let raw = UnsafeMutableRawPointer.allocate(byteCount: blockSize, alignment: blockAlignment)
        raw.initializeMemory(as: UInt8.self, repeating: 0, count: blockSize)
        defer { raw.deallocate() }
        return try body(OpaquePointer(raw))
    }
}
