import Testing

@testable import SluiceIngest

@Suite("SipHash")
struct SipHashTests {
    @Test func sipHashMatchesTheReferenceVectors() {
        // Aumasson & Bernstein's test vectors: key 00..0f, messages 00..(n-1).
        let k0: UInt64 = 0x0706_0504_0302_0100
        let k1: UInt64 = 0x0f0e_0d0c_0b0a_0908
        #expect(SipHash.hash([], k0: k0, k1: k1) == 0x726f_db47_dd0e_0e31)
        #expect(SipHash.hash(Array(0..<15), k0: k0, k1: k1) == 0xa129_ca61_49be_45e5)
        #expect(SipHash.hash(Array(0..<8), k0: k0, k1: k1) == 0x93f5_f579_9a93_2462)
    }
}
