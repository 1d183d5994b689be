/// The three-byte sequences of a user agent (ASCII case folded), hashed into a bit set.
///
/// A rule whose regex needs the literal `"cfnetwork"` cannot match unless every trigram
/// of `"cfnetwork"` is in the set, so `UserAgentParser` skips it without calling PCRE2.
/// Hash collisions only let a rule through, never block one: the filter may pass a rule
/// that then fails to match, but never skips a rule that would match.
///
/// Plain loops over raw pointers: the tests run in debug builds, where the same logic
/// written with arrays and closures costs more than the regexes it saves.
final class TrigramSet {
    private static let wordCount = 128
    private static let bitCount = UInt32(wordCount * 64)
    private let words: UnsafeMutablePointer<UInt64>

    /// The trigrams of `subject`, or nil for a non-ASCII subject: in a case-insensitive
    /// PCRE2 pattern some non-ASCII letters match ASCII ones (the Kelvin sign matches `k`),
    /// which ASCII folding cannot see, so such subjects run every rule.
    init?(_ subject: UnsafeBufferPointer<UInt8>) {
        words = .allocate(capacity: Self.wordCount)
        words.initialize(repeating: 0, count: Self.wordCount)
        guard let bytes = subject.baseAddress else { return }
        var previous2: UInt32 = 0
        var previous1: UInt32 = 0
        var index = 0
        while index < subject.count {
            let byte = bytes[index]
            // All stored properties are set, so failing here runs deinit, which frees `words`.
            if byte >= 0x80 { return nil }
            let folded = UInt32(Self.fold(byte))
            if index >= 2 {
                let bit = Self.hash(previous2, previous1, folded)
                words[bit >> 6] |= 1 << UInt64(bit & 63)
            }
            previous2 = previous1
            previous1 = folded
            index += 1
        }
    }

    deinit { words.deallocate() }

    /// Whether, for at least one literal in `encoded` (a count, then that many trigram
    /// hashes, repeated), every trigram is present.
    func mayContainAny(of encoded: [UInt16]) -> Bool {
        encoded.withUnsafeBufferPointer { buffer in
            guard let hashes = buffer.baseAddress else { return false }
            var index = 0
            while index < buffer.count {
                let end = index + 1 + Int(hashes[index])
                index += 1
                var allPresent = true
                while index < end {
                    let bit = Int(hashes[index])
                    if words[bit >> 6] & (1 << UInt64(bit & 63)) == 0 {
                        allPresent = false
                        break
                    }
                    index += 1
                }
                if allPresent { return true }
                index = end
            }
            return false
        }
    }

    /// The distinct trigram hashes of a lowercase ASCII literal (at least three bytes long).
    static func hashes(of literal: String) -> [UInt16] {
        let bytes = literal.utf8.map { UInt32(fold($0)) }
        guard bytes.count >= 3 else { return [] }
        return Array(Set((2..<bytes.count).map { UInt16(hash(bytes[$0 - 2], bytes[$0 - 1], bytes[$0])) })).sorted()
    }

    private static func fold(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
    }

    private static func hash(_ first: UInt32, _ second: UInt32, _ third: UInt32) -> Int {
        let mixed = (first &* 0x9E37_79B1) ^ (second &* 0x85EB_CA77) ^ (third &* 0xC2B2_AE3D)
        return Int((mixed ^ (mixed >> 15)) % bitCount)
    }
}
