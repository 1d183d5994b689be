/// Finds where a run of string bytes that JSON holds as they are ends: at a
/// quote, a backslash or a control character. The parser and the writer both
/// spend most of their time in this loop, so it tests eight bytes at a time
/// while none of them ends the run.
enum JSONStringScan {
    /// The offset of the first byte at or after `start` that ends the run (or
    /// `bytes.count`), and whether any byte before it was non-ASCII.
    static func endOfPlainRun(_ bytes: UnsafeRawBufferPointer, from start: Int) -> (end: Int, sawNonASCII: Bool) {
        var position = start
        var unionOfWords: UInt64 = 0
        while position + 8 <= bytes.count {
            let word = bytes.loadUnaligned(fromByteOffset: position, as: UInt64.self)
            let hits = runEnds(word)
            if hits != 0 {
                // The lowest flagged byte is the first run end (bytes are loaded little-endian).
                let before = hits.trailingZeroBitCount / 8
                unionOfWords |= word & ((1 &<< (UInt64(before) &* 8)) &- 1)
                return (position + before, unionOfWords & highBits != 0)
            }
            unionOfWords |= word
            position += 8
        }
        var unionOfBytes: UInt8 = 0
        while position < bytes.count {
            let byte = bytes[position]
            if endsRun(byte) { break }
            unionOfBytes |= byte
            position += 1
        }
        return (position, unionOfWords & highBits != 0 || unionOfBytes >= 0x80)
    }

    /// Whether JSON must escape this byte inside a string.
    static func endsRun(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20
    }

    private static let lowBits: UInt64 = 0x0101_0101_0101_0101
    private static let highBits: UInt64 = 0x8080_8080_8080_8080

    /// The high bit of each of the word's bytes that is a quote, a backslash or a
    /// control character; bytes above a flagged one may be flagged falsely (the
    /// subtractions borrow across bytes only past a hit), so the lowest is exact.
    private static func runEnds(_ word: UInt64) -> UInt64 {
        zeroBytes(word ^ (lowBits &* UInt64(UInt8(ascii: "\""))))
            | zeroBytes(word ^ (lowBits &* UInt64(UInt8(ascii: "\\"))))
            | (word &- lowBits &* 0x20) & ~word & highBits
    }

    private static func zeroBytes(_ word: UInt64) -> UInt64 { (word &- lowBits) & ~word & highBits }
}
