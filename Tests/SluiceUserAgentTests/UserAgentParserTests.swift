import Testing

@testable import SluiceUserAgent

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Loading errors and the ua-parser specification's rules, on small hand-written rule files.
@Suite("UserAgentParser")
struct UserAgentParserTests {
    /// Writes `contents` to a fresh temporary file and returns its path.
    static func rulesFile(_ contents: String) throws -> String {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("sluice-uap-\(UInt64.random(in: 0...UInt64.max)).yaml")
        try Data(contents.utf8).write(to: url)
        return url.path
    }

    static func remove(_ path: String) { try? FileManager.default.removeItem(atPath: path) }

    static let specificationRules = """
        user_agent_parsers:
          # the specification's own example
          - regex: '(Namoroka|Shiretoko|Minefield)/(\\d+)\\.(\\d+)\\.(\\d+(?:pre)?)'
            family_replacement: 'Firefox ($1)'
          - regex: '(Widget)/(\\d+)'
            v1_replacement: 'v$2$'
        os_parsers:
          - regex: 'Win(95|98|3.1|NT|ME|2000)'
            os_replacement: 'Windows $1'
          - regex: '(Gizmo OS) (\\d+)(?:\\.(\\d+)|)'
        device_parsers:
          - regex: '; (PEDI)_(PLUS)_(W) Build/'
            device_replacement: '$1_$2_$3'
            brand_replacement: 'Odys'
            model_replacement: '$1 $2 $3'
          - regex: 'gadget-([a-z]+)( ?)'
            regex_flag: 'i'
            device_replacement: '  Gadget $1  '
            brand_replacement: '$2'
          - regex: 'It''s a "(thing)"'
        """

    @Test func followsTheSpecification() throws {
        let path = try Self.rulesFile(Self.specificationRules)
        defer { Self.remove(path) }
        let parser = try UserAgentParser(regexesPath: path)

        let firefox = parser.details(
            "Mozilla/5.0 (Windows; Windows NT 5.1; rv:2.0b3pre) Gecko/20100727 Minefield/4.0.1pre")
        #expect(firefox.userAgent == .init(family: "Firefox (Minefield)", major: "4", minor: "0", patch: "1pre"))
        #expect(firefox.os == .init(family: "Other"))
        #expect(firefox.device == .init(family: "Other"))

        // A replacement keeps a `$` that is not followed by 1-9.
        #expect(parser.details("Widget/7").userAgent == .init(family: "Widget", major: "v7$"))

        #expect(parser.details("Mozilla/5.0 (Windows; U; Win95; en-US)").os == .init(family: "Windows 95"))
        // Groups that do not take part are nil.
        #expect(parser.details("Gizmo OS 3").os == .init(family: "Gizmo OS", major: "3"))

        let pedi = parser.details("Mozilla/5.0 (Linux; U; Android 4.2.2; de-de; PEDI_PLUS_W Build/JDQ39)")
        #expect(pedi.device == .init(family: "PEDI_PLUS_W", brand: "Odys", model: "PEDI PLUS W"))

        // regex_flag 'i', trimming, an empty brand becomes nil, the model defaults to $1.
        #expect(parser.details("GADGET-Blue").device == .init(family: "Gadget Blue", brand: nil, model: "Blue"))
        // '' in a single-quoted YAML string is a quote.
        #expect(parser.details("It's a \"thing\"").device == .init(family: "thing", model: "thing"))
    }

    /// A few of uap-core's own ReDoS inputs (tests/regexes.js asks < 500 ms each), as
    /// prefix + unit × 10,000 + suffix; the non-ASCII one runs without the pre-filter.
    @Test(arguments: [
        ("Mozilla", "Mobile", "!"), ("HbbTV/1.1.1 (", ";a;", "!"), ("; ", " ", "◎"),
        ("Windows Phone  ; ", "IEMobile/", "!"),
    ])
    func adversarialInputStaysFast(prefix: String, unit: String, suffix: String) throws {
        let parser = try SharedParser.get()
        let userAgent = prefix + String(repeating: unit, count: 10_000) + suffix
        let elapsed = ContinuousClock().measure { _ = parser.device(userAgent) }
        #expect(elapsed < .milliseconds(500), "\(prefix)(\(unit))×10000\(suffix) took \(elapsed)")
    }

    @Test func missingFileSaysWhatToDo() {
        let path = "/nonexistent/uap-core/regexes.yaml"
        #expect(throws: UserAgentError.regexesFileNotFound(path: path)) { try UserAgentParser(regexesPath: path) }
        let message = UserAgentError.regexesFileNotFound(path: path).description
        #expect(message.contains("apt-get install uap-core"))
        #expect(message.contains("regexesPath"))
        #expect(message.contains(path))
    }

    @Test func directoryIsUnreadable() {
        #expect {
            try UserAgentParser(regexesPath: FileManager.default.temporaryDirectory.path)
        } throws: { error in
            if case .regexesFileUnreadable = error as? UserAgentError { return true }
            return false
        }
    }

    @Test func malformedFileNamesTheLine() throws {
        let path = try Self.rulesFile("user_agent_parsers:\n  - regex: 'unterminated\n")
        defer { Self.remove(path) }
        #expect(
            throws: UserAgentError.malformedRegexes(path: path, line: 2, reason: "while scanning a quoted scalar: found unexpected end of stream")
        ) {
            try UserAgentParser(regexesPath: path)
        }
    }

    @Test func missingSectionIsReported() throws {
        let path = try Self.rulesFile("user_agent_parsers:\n  - regex: 'a'\nos_parsers:\n  - regex: 'b'\n")
        defer { Self.remove(path) }
        #expect(
            throws: UserAgentError.missingRules(
                path: path, section: "device_parsers", reason: "the list is missing or empty")
        ) { try UserAgentParser(regexesPath: path) }
    }

    @Test func invalidRegexNamesTheRule() throws {
        let path = try Self.rulesFile(
            "user_agent_parsers:\n  - regex: 'a'\nos_parsers:\n  - regex: 'b'\n  - regex: '(unclosed'\ndevice_parsers:\n  - regex: 'c'\n"
        )
        defer { Self.remove(path) }
        #expect {
            try UserAgentParser(regexesPath: path)
        } throws: { error in
            guard case .invalidRegex(_, "os_parsers", 1, "(unclosed", let message) = error as? UserAgentError else {
                return false
            }
            return message.contains("missing closing parenthesis")
        }
    }
}
