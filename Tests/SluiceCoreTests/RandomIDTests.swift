import SluiceCore
import Testing

@Suite("RandomID")
struct RandomIDTests {
    @Test func isALowercaseVersion4UUID() {
        for _ in 0..<200 {
            let id = Array(RandomID.uuidString().utf8)
            #expect(id.count == 36)
            for (index, byte) in id.enumerated() {
                if [8, 13, 18, 23].contains(index) {
                    #expect(byte == UInt8(ascii: "-"))
                } else {
                    #expect((byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "f")))
                }
            }
            #expect(id[14] == UInt8(ascii: "4"))
            #expect([UInt8(ascii: "8"), UInt8(ascii: "9"), UInt8(ascii: "a"), UInt8(ascii: "b")].contains(id[19]))
        }
    }

    @Test func doesNotRepeat() {
        let ids = (0..<10_000).map { _ in RandomID.uuidString() }
        #expect(Set(ids).count == ids.count)
    }
}
