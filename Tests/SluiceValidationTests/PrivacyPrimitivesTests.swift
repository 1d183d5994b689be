import Foundation
import SluiceCore
import SluiceValidation
import Testing

@Suite("Privacy primitives")
struct PrivacyPrimitivesTests {
    @Test(arguments: [
        ("10.0.0.0/8", "10.200.3.4", true), ("10.0.0.0/8", "11.0.0.1", false),
        ("192.168.1.7", "192.168.1.7", true), ("192.168.1.7", "192.168.1.8", false),
        ("2001:db8::/32", "2001:db8:ffff::1", true), ("2001:db8::/32", "2001:db9::1", false),
        ("127.0.0.1", "::ffff:127.0.0.1", true), ("::1", "::1", true), ("0.0.0.0/0", "8.8.8.8", true),
        ("10.0.0.0/8", "not-an-ip", false), ("10.0.0.0/8", "2001:db8::1", false),
    ])
    func networksContainTheirAddresses(network: String, address: String, expected: Bool) throws {
        let range = try #require(IPNetwork(network))
        #expect(range.contains(address) == expected)
    }

    @Test func malformedNetworksAreRefused() {
        for text in ["", "10.0.0.0/33", "300.1.1.1", "1.2.3", "2001:db8::/129", "1::2::3", "abc"] {
            #expect(IPNetwork(text) == nil, "\(text)")
        }
    }

    @Test(arguments: [
        ("write to jane.doe+news@example.co.uk today", "write to [email] today"),
        ("call +44 20 7946 0958 now", "call [phone] now"),
        ("call (415) 555-0100.", "call [phone]."),
        ("card 4111-1111-1111-1111 ok", "card [card] ok"),
        ("card 4111111111111111", "card [card]"),
        ("order 4111111111111112 (fails Luhn)", "order 4111111111111112 (fails Luhn)"),
        ("ts 1767323045678 and v2.3.4", "ts 1767323045678 and v2.3.4"),
        ("user@localhost is not an address", "user@localhost is not an address"),
        ("no digits at all", "no digits at all"),
        ("shortest phone +12345678 ok", "shortest phone [phone] ok"),
        ("too short +1234567 and order 123-4567", "too short +1234567 and order 123-4567"),
        // A run of digits is judged whole: no fragment of a longer number is a phone.
        ("ref 4111 1111 1111 1112 kept", "ref 4111 1111 1111 1112 kept"),
        ("id 1-2-3-4-5-6-7-8-9-0-1-2-3-4-5-6-7-8-9-0 kept", "id 1-2-3-4-5-6-7-8-9-0-1-2-3-4-5-6-7-8-9-0 kept"),
        ("mail -x-a@b.io", "mail [email]"),
        ("card 4111 1111 1111 1111 12/25 cvv 123", "card [card] 12/25 cvv 123"),
        ("card 4111 1111 1111 1111 123", "card [card] 123"),
    ])
    func redactionReplacesPersonalData(input: String, expected: String) {
        #expect(Redactor().redact(input).text == expected)
    }

    @Test func craftedRunsAreRedactedCorrectly() {
        // Each of these made the old scan restart at every position (quadratic).
        let dashes = String(repeating: "-", count: 50_000)
        #expect(Redactor().redact(dashes + "@").text == dashes + "@")
        #expect(Redactor().redact(dashes + "a@b.io").count == 1)
        let spaced = Array(repeating: "1", count: 30_000).joined(separator: " ")
        #expect(Redactor().redact(spaced + " @").count == 0)
        let grouped = Array(repeating: "12", count: 30_000).joined(separator: "-")
        #expect(Redactor().redact(grouped).text == grouped)
    }

    @Test func manyRedactedMembersAreReplacedInPlace() {
        let members = (0..<5_000).map { ("k\($0)", JSONValue.string("a@b.cc")) }
        let (value, count) = Redactor().redact(.object(JSONObject(members)))
        #expect(count == 5_000)
        #expect(value.objectValue?.members.allSatisfy { $0.value == .string("[email]") } == true)
    }

    @Test func customRulesRunAfterTheBuiltInKinds() {
        let rule = RedactionRule(name: "ticket") { text in
            let replaced = text.replacingOccurrences(of: "T-42", with: "[ticket]")
            return (replaced, replaced == text ? 0 : 1)
        }
        let (text, count) = Redactor(kinds: [.email], custom: [rule]).redact("T-42 from a@b.io")
        #expect(text == "[ticket] from [email]")
        #expect(count == 2)
        #expect(Redactor(kinds: [], custom: [rule]).redact("no match").count == 0)
    }

    @Test func redactionCountsAndRespectsTheEnabledKinds() {
        let text = "a@b.io and +1 415 555 0100"
        #expect(Redactor().redact(text).count == 2)
        #expect(Redactor(kinds: [.email]).redact(text).text == "[email] and +1 415 555 0100")
        let nested: JSONValue = .object(JSONObject([("list", .array([.string("x@y.org"), .int(4_111_111_111_111_111)]))]))
        let (value, count) = Redactor().redact(nested)
        #expect(count == 1, "numbers are not strings: only the email counts")
        #expect(value.objectValue?["list"] == .array([.string("[email]"), .int(4_111_111_111_111_111)]))
    }
}
