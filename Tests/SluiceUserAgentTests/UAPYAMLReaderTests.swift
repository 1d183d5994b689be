import Testing

@testable import SluiceUserAgent

/// uap-core's YAML read through Yams into lists of flat maps.
@Suite("UAPYAMLReader")
struct UAPYAMLReaderTests {
    static func parse(_ text: String) throws(UAPYAMLReader.Failure) -> UAPYAMLReader.Document {
        try UAPYAMLReader.parse(Array(text.utf8))
    }

    @Test func readsListsOfMaps() throws {
        let document = try Self.parse(
            """
            # a comment
            test_cases:

              - user_agent_string: 'It''s \\d'
                family: "G'FIVE \\"A56\\""
                major:
                minor: '0'
                patch: ~
                plain: some text # trailing comment
              - user_agent_string: ''
            other:
              - regex: 'x'
            """)
        #expect(
            document["test_cases"] == [
                ["user_agent_string": "It's \\d", "family": "G'FIVE \"A56\"", "minor": "0", "plain": "some text"],
                ["user_agent_string": ""],
            ])
        #expect(document["other"] == [["regex": "x"]])
    }

    @Test func rejectsWhatItDoesNotUnderstand() {
        let cases: [(text: String, failure: UAPYAMLReader.Failure)] = [
            // Bad YAML, at the line where the construct began.
            ("a:\n  - k: \"open\n", .init(line: 2, reason: "while scanning a quoted scalar: found unexpected end of stream")),
            // YAML of another shape than uap-core's.
            ("a:\n  k: v\n", .init(line: 1, reason: "top-level key 'a' must introduce a list")),
            ("a: b\n", .init(line: 1, reason: "top-level key 'a' must introduce a list")),
            ("a:\n  - v\n", .init(line: 2, reason: "an item of 'a' must be a map ('key: value' lines)")),
            ("a:\n  - k: [1, 2]\n", .init(line: 2, reason: "'k' in 'a' must be a single value, not a list or map")),
            ("- a\n", .init(line: 1, reason: "the file must be a map of lists")),
        ]
        for (text, failure) in cases {
            #expect(throws: failure, "\(text)") { try Self.parse(text) }
        }
    }

    @Test func readsTheInstalledRegexes() throws {
        let document = try UAPYAMLReader.parse(try UAPRuleSet.readFile(UserAgentParser.defaultRegexesPath))
        // Counted with grep on the Debian file: 1,162 `regex:` lines in three lists.
        let counts = ["user_agent_parsers", "os_parsers", "device_parsers"].map { document[$0]?.count ?? 0 }
        #expect(counts.reduce(0, +) == 1162)
        #expect(counts.allSatisfy { $0 > 100 })
        #expect(document.values.joined().allSatisfy { $0["regex"] != nil })
    }
}
