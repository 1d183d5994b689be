import Testing

@testable import SluiceUserAgent

/// Runs uap-core's own test files against the parser, each list on its own as uap-core's
/// reference harness (`tests/test.js`) does, printing the pass rate of each file and
/// every failing case.
///
/// Every case must pass: with PCRE2 and the Debian uap-core of Aug 2022 all 1,425
/// `test_ua.yaml`, 456 `test_os.yaml` and 16,111 `test_device.yaml` cases do, as do the
/// extra files in `test_resources` that the reference harness also runs, so a single
/// regression fails the test (a threshold under 100% let one through unseen). Each
/// failure is printed with the field that differs.
///
/// As in the reference harness, `test_ua.yaml` checks family, major, minor and patch (its
/// `patch_minor` values are not compared), and an empty expected value (`''`) means nil.
@Suite("uap-core conformance")
struct UAPConformanceTests {
    static let testsDirectory = "/usr/share/uap-core/tests"
    static let resourcesDirectory = "/usr/share/uap-core/test_resources"
    @Test func userAgents() throws {
        let outcome = try Self.run("\(Self.testsDirectory)/test_ua.yaml", check: Self.agentMismatches)
        #expect(outcome.failed == 0, "\(outcome.report)")
    }

    @Test func operatingSystems() throws {
        let outcome = try Self.run("\(Self.testsDirectory)/test_os.yaml", check: Self.osMismatches)
        #expect(outcome.failed == 0, "\(outcome.report)")
    }

    @Test func devices() throws {
        let outcome = try Self.run("\(Self.testsDirectory)/test_device.yaml") { parser, testCase, input in
            let device = parser.device(input)
            return Self.mismatches([
                ("family", device.family, testCase["family"]),
                ("brand", device.brand, testCase["brand"]),
                ("model", device.model, testCase["model"]),
            ])
        }
        #expect(outcome.failed == 0, "\(outcome.report)")
    }

    /// The extra files uap-core's harness runs besides the three test files.
    @Test(arguments: [
        "firefox_user_agent_strings.yaml", "pgts_browser_list.yaml", "opera_mini_user_agent_strings.yaml",
        "podcasting_user_agent_strings.yaml", "additional_os_tests.yaml",
    ])
    func referenceResources(file: String) throws {
        let path = "\(Self.resourcesDirectory)/\(file)"
        let outcome =
            file.hasPrefix("additional_os")
            ? try Self.run(path, check: Self.osMismatches) : try Self.run(path, check: Self.agentMismatches)
        #expect(outcome.failed == 0, "\(outcome.report)")
    }

    // MARK: - Harness

    typealias Check = (UserAgentParser, [String: String], MatchInput) -> [String]

    static func agentMismatches(_ parser: UserAgentParser, _ testCase: [String: String], _ input: MatchInput)
        -> [String]
    {
        let agent = parser.agent(input)
        return mismatches([
            ("family", agent.family, testCase["family"]),
            ("major", agent.major, testCase["major"]),
            ("minor", agent.minor, testCase["minor"]),
            ("patch", agent.patch, testCase["patch"]),
        ])
    }

    static func osMismatches(_ parser: UserAgentParser, _ testCase: [String: String], _ input: MatchInput) -> [String] {
        let os = parser.operatingSystem(input)
        return mismatches([
            ("family", os.family, testCase["family"]),
            ("major", os.major, testCase["major"]),
            ("minor", os.minor, testCase["minor"]),
            ("patch", os.patch, testCase["patch"]),
            ("patch_minor", os.patchMinor, testCase["patch_minor"]),
        ])
    }

    struct Outcome {
        var file: String
        var total: Int
        var failed: Int
        var report: String {
            let basisPoints = total == 0 ? 0 : (total - failed) * 10_000 / total
            let fraction = basisPoints % 100 < 10 ? "0\(basisPoints % 100)" : "\(basisPoints % 100)"
            return "uap-core \(file): \(total - failed)/\(total) passed (\(basisPoints / 100).\(fraction)%)"
        }
    }

    static func run(_ path: String, check: Check) throws -> Outcome {
        let parser = try SharedParser.get()
        let cases = try loadCases(path)
        var failed = 0
        for testCase in cases {
            let userAgent = testCase["user_agent_string"] ?? ""
            let problems = parser.withInput(userAgent) { check(parser, testCase, $0) }
            if !problems.isEmpty {
                failed += 1
                print("  FAIL \(userAgent)\n    " + problems.joined(separator: "\n    "))
            }
        }
        let outcome = Outcome(
            file: path.split(separator: "/").last.map(String.init) ?? path, total: cases.count, failed: failed)
        print(outcome.report)
        #expect(!cases.isEmpty, "no test cases in \(path)")
        return outcome
    }

    static func loadCases(_ path: String) throws -> [[String: String]] {
        let fullPath = path.hasPrefix("/") ? path : "\(testsDirectory)/\(path)"
        return try UAPYAMLReader.parse(try UAPRuleSet.readFile(fullPath))["test_cases"] ?? []
    }

    /// Field names whose value differs; an expected empty string counts as nil.
    static func mismatches(_ fields: [(String, String?, String?)]) -> [String] {
        fields.compactMap { name, actual, expected in
            let wanted = expected.flatMap { $0.isEmpty ? nil : $0 }
            return actual == wanted ? nil : "\(name): got \(actual ?? "nil"), expected \(wanted ?? "nil")"
        }
    }
}
