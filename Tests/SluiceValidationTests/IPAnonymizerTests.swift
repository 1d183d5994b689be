import SluiceValidation
import Testing

@Suite("IPAnonymizer")
struct IPAnonymizerTests {
    @Test(arguments: [("203.0.113.57", "203.0.113.0"), ("10.0.0.1", "10.0.0.0"), ("255.255.255.255", "255.255.255.0"), ("0.0.0.0", "0.0.0.0")])
    func ipv4LosesTheLastOctet(address: String, expected: String) {
        #expect(IPAnonymizer.anonymize(address) == expected)
    }

    @Test(arguments: [
        ("2001:0db8:85a3:0000:0000:8a2e:0370:7334", "2001:db8:85a3::"),
        ("2001:db8::1", "2001:db8:0::"),
        ("2001:DB8:AbCd:1234::", "2001:db8:abcd::"),
        ("::1", "0:0:0::"),
        ("::", "0:0:0::"),
        ("fe80::1:2:3:4", "fe80:0:0::"),
        ("1:2:3:4:5:6::8", "1:2:3::"),
    ])
    func ipv6KeepsTheFirst48Bits(address: String, expected: String) {
        #expect(IPAnonymizer.anonymize(address) == expected)
    }

    @Test func ipv6OutputHasOnlyThreeGroups() throws {
        let all = try #require(IPAnonymizer.anonymize("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"))
        #expect(all == "ffff:ffff:ffff::")
        // Bits 48…127 never survive, whatever they are.
        #expect(IPAnonymizer.anonymize("2001:db8:1:ffff:ffff:ffff:ffff:ffff") == IPAnonymizer.anonymize("2001:db8:1::"))
    }

    // RFC 4291 allows a dotted tail on any IPv6 address, and a zone (%eth0) names an interface, not a host.
    @Test(arguments: [("2001:db8::1.2.3.4", "2001:db8:0::"), ("fe80::1%eth0", "fe80:0:0::")])
    func dottedTailsAndZonesAreIPv6(address: String, expected: String) {
        #expect(IPAnonymizer.anonymize(address) == expected)
    }

    @Test(arguments: [("::ffff:1.2.3.4", "1.2.3.0"), ("::FFFF:192.168.10.20", "192.168.10.0")])
    func ipv4MappedIsAnonymisedAsIPv4(address: String, expected: String) {
        #expect(IPAnonymizer.anonymize(address) == expected)
    }

    @Test(arguments: [
        "", "localhost", "abc", "1.2.3", "1.2.3.4.5", "1.2.3.256", "1..3.4", "1.2.3.", "a.b.c.d",
        ".1.2.3", "1.2.3.4 ", " 1.2.3.4", "+1.2.3.4", "0001.2.3.4", "1.2.3.-4", "\u{0661}.2.3.4",
        "2001:db8::1::2", "1:::2", "12345::", "gggg::1", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7::8",
        "::ffff:1.2.3", "::ffff:1.2.3.999", ":1", "1:",
    ])
    func garbageIsNil(address: String) {
        #expect(IPAnonymizer.anonymize(address) == nil)
    }
}
