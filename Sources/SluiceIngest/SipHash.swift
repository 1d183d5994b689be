/// SipHash-2-4 (Aumasson & Bernstein): a keyed hash for short inputs, the one
/// Plausible uses for cookieless visitor ids. With a secret key nobody can
/// recompute or reverse the id from the inputs.
struct SipHash {
    /// The 64-bit SipHash-2-4 of `message` under the 128-bit key (k0, k1).
    static func hash(_ message: [UInt8], k0: UInt64, k1: UInt64) -> UInt64 {
        var v0: UInt64 = 0x736f_6d65_7073_6575 ^ k0
        var v1: UInt64 = 0x646f_7261_6e64_6f6d ^ k1
        var v2: UInt64 = 0x6c79_6765_6e65_7261 ^ k0
        var v3: UInt64 = 0x7465_6462_7974_6573 ^ k1

        func round() {
            v0 = v0 &+ v1
            v1 = v1.rotatedLeft(13)
            v1 ^= v0
            v0 = v0.rotatedLeft(32)
            v2 = v2 &+ v3
            v3 = v3.rotatedLeft(16)
            v3 ^= v2
            v0 = v0 &+ v3
            v3 = v3.rotatedLeft(21)
            v3 ^= v0
            v2 = v2 &+ v1
            v1 = v1.rotatedLeft(17)
            v1 ^= v2
            v2 = v2.rotatedLeft(32)
        }

        let whole = message.count / 8 * 8
        var index = 0
        while index < whole {
            var m: UInt64 = 0
            for byte in 0..<8 { m |= UInt64(message[index + byte]) << (8 * UInt64(byte)) }
            v3 ^= m
            round()
            round()
            v0 ^= m
            index += 8
        }
        var last = UInt64(message.count & 0xFF) << 56
        for byte in 0..<(message.count - whole) { last |= UInt64(message[whole + byte]) << (8 * UInt64(byte)) }
        v3 ^= last
        round()
        round()
        v0 ^= last
        v2 ^= 0xFF
        round()
        round()
        round()
        round()
        return v0 ^ v1 ^ v2 ^ v3
    }
}

extension UInt64 {
    fileprivate func rotatedLeft(_ count: UInt64) -> UInt64 { (self << count) | (self >> (64 - count)) }
}
