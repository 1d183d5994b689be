import Testing

@testable import SluiceUserAgent

/// The literal pre-filter must only ever skip rules that cannot match.
@Suite("Literal pre-filter")
struct PrefilterTests {
    @Test(
        arguments: [
            ("(Namoroka|Shiretoko|Minefield)/(\\d+)\\.(\\d+)", ["namoroka", "shiretoko", "minefield"]),
            ("^(.{0,200})/(\\d+)(?:\\.(\\d+)|) CFNetwork", [" cfnetwork"]),
            ("; *(SAMSUNG |Samsung |)(SM-[A-Z]\\d+)", ["sm-"]),
            ("Abc+d", ["abc"]),
            ("abcX?defg", ["defg"]),
            ("\\bPEDI\\b_(?:x|yz)", ["pedi"]),
            ("(?:Ab|Cd)+Efgh", ["efgh"]),
            ("Android[\\- ][\\d]+\\.[\\d]+; [A-Za-z]{2}; WOWMobile", ["; wowmobile"]),
        ] as [(String, [String])])
    func findsRequiredLiterals(pattern: String, expected: [String]) {
        #expect(RequiredLiterals.of(pattern) == expected)
    }

    @Test(arguments: [
        "ab|cd",  // a branch without a usable literal
        "(?:foo|)",  // an empty branch
        "x*y?",  // nothing required
        "(?=lookahead)",  // unsupported syntax: the rule always runs
        "a\\x41bc",  // unsupported escape
        "(ab)\\1",  // backreference
    ])
    func givesUpWhenUnsure(pattern: String) {
        #expect(RequiredLiterals.of(pattern) == nil)
    }

    @Test func trigramsFoldASCIICaseAndRejectNonASCII() {
        var ascii = "Mozilla/5.0 (Linux) CFNetwork/1.0"
        ascii.withUTF8 { bytes in
            let trigrams = TrigramSet(bytes)
            let cfnetwork = TrigramSet.hashes(of: " cfnetwork")
            let missing = TrigramSet.hashes(of: "gptbot")
            #expect(trigrams?.mayContainAny(of: [UInt16(cfnetwork.count)] + cfnetwork) == true)
            #expect(trigrams?.mayContainAny(of: [UInt16(missing.count)] + missing) == false)
            #expect(
                trigrams?.mayContainAny(of: [UInt16(missing.count)] + missing + [UInt16(cfnetwork.count)] + cfnetwork)
                    == true)
        }
        var other = "Mozilla/5.0 (Linux) K\u{212A}"
        other.withUTF8 { #expect(TrigramSet($0) == nil) }
    }

    /// All three lists give the same answer with and without the pre-filter, on every user
    /// agent of `test_ua.yaml` and `test_os.yaml` and every 4th of `test_device.yaml`
    /// (running all 1,162 regexes unfiltered is slow in a debug build; the conformance
    /// tests already check the filtered device list on every device case).
    @Test func changesNoResult() throws {
        let parser = try SharedParser.get()
        var userAgents: [String] = []
        for file in ["test_ua.yaml", "test_os.yaml"] {
            userAgents += try UAPConformanceTests.loadCases(file).compactMap { $0["user_agent_string"] }
        }
        let deviceCases = try UAPConformanceTests.loadCases("test_device.yaml")
        userAgents += stride(from: 0, to: deviceCases.count, by: 4).compactMap { deviceCases[$0]["user_agent_string"] }
        var differences: [String] = []
        for userAgent in userAgents {
            let filtered = parser.withInput(userAgent, prefilter: true) { parser.details($0) }
            let unfiltered = parser.withInput(userAgent, prefilter: false) { parser.details($0) }
            if filtered != unfiltered { differences.append(userAgent) }
        }
        #expect(differences.isEmpty, "pre-filter changed results for: \(differences.prefix(5))")
        #expect(userAgents.count > 5_800)
    }
}
