import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Random version-4 UUIDs in lowercase text, for event, visitor and session ids.
///
/// The bytes come from the kernel's generator (`arc4random_buf`, `getrandom`
/// underneath on glibc), fetched 4 KiB at a time rather than per id, and are
/// formatted without Foundation: `UUID()` on Linux opened `/dev/urandom` for
/// every id, and even a system call per id measured hot in batch ingest
/// (docs/performance.md, "What changed since the first run").
public enum RandomID {
    private static let hexDigits = Array("0123456789abcdef".utf8)
    private static let pool = Mutex(RandomPool())

    /// A fresh id, e.g. `3f2b8c1e-9a4d-4f6b-8e2a-1c5d7b9e0f3a`.
    public static func uuidString() -> String {
        var bytes = pool.withLock { $0.next16() }
        return withUnsafeMutableBytes(of: &bytes) { raw in
            raw[6] = (raw[6] & 0x0F) | 0x40  // version 4
            raw[8] = (raw[8] & 0x3F) | 0x80  // RFC 4122 variant
            return String(unsafeUninitializedCapacity: 36) { out in
                var position = 0
                for index in 0..<16 {
                    if index == 4 || index == 6 || index == 8 || index == 10 {
                        out[position] = UInt8(ascii: "-")
                        position += 1
                    }
                    out[position] = hexDigits[Int(raw[index] >> 4)]
                    out[position + 1] = hexDigits[Int(raw[index] & 0x0F)]
                    position += 2
                }
                return position
            }
        }
    }
}

/// Kernel randomness bought in bulk and handed out 16 bytes at a time; every
/// byte is used once.
private struct RandomPool {
    private var words = [UInt64](repeating: 0, count: 512)
    private var next = 512

    mutating func next16() -> (UInt64, UInt64) {
        if next + 2 > words.count { refill() }
        defer { next += 2 }
        return (words[next], words[next + 1])
    }

    private mutating func refill() {
        // glibc 2.36+ and Darwin: one getrandom-backed call for the whole pool.
        words.withUnsafeMutableBytes { arc4random_buf($0.baseAddress!, $0.count) }
        next = 0
    }
}
