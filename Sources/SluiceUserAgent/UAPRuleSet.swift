#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The three compiled rule lists of a uap-core `regexes.yaml`.
struct UAPRuleSet {
    var userAgent: [UAPRule]
    var os: [UAPRule]
    var device: [UAPRule]

    /// Replacement keys of each list, in output order, with the group used when a key is absent.
    private static let userAgentFields: [(String, Int?)] = [
        ("family_replacement", 1), ("v1_replacement", 2), ("v2_replacement", 3), ("v3_replacement", 4),
        ("v4_replacement", 5),
    ]
    private static let osFields: [(String, Int?)] = [
        ("os_replacement", 1), ("os_v1_replacement", 2), ("os_v2_replacement", 3), ("os_v3_replacement", 4),
        ("os_v4_replacement", 5),
    ]
    private static let deviceFields: [(String, Int?)] = [
        ("device_replacement", 1), ("brand_replacement", nil), ("model_replacement", 1),
    ]

    static func load(path: String) throws(UserAgentError) -> UAPRuleSet {
        let bytes = try readFile(path)
        let document: UAPYAMLReader.Document
        do {
            document = try UAPYAMLReader.parse(bytes)
        } catch {
            throw .malformedRegexes(path: path, line: error.line, reason: error.reason)
        }
        return UAPRuleSet(
            userAgent: try compile(document, "user_agent_parsers", userAgentFields, path: path),
            os: try compile(document, "os_parsers", osFields, path: path),
            device: try compile(document, "device_parsers", deviceFields, path: path))
    }

    static func readFile(_ path: String) throws(UserAgentError) -> [UInt8] {
        guard FileManager.default.fileExists(atPath: path) else { throw .regexesFileNotFound(path: path) }
        do {
            return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw .regexesFileUnreadable(path: path, reason: "\(error)")
        }
    }

    private static func compile(
        _ document: UAPYAMLReader.Document, _ section: String, _ fields: [(String, Int?)], path: String
    ) throws(UserAgentError) -> [UAPRule] {
        guard let entries = document[section], !entries.isEmpty else {
            throw .missingRules(path: path, section: section, reason: "the list is missing or empty")
        }
        var rules: [UAPRule] = []
        rules.reserveCapacity(entries.count)
        for (index, entry) in entries.enumerated() {
            guard let regex = entry["regex"] else {
                throw .missingRules(path: path, section: section, reason: "entry \(index) has no 'regex'")
            }
            let pattern: PCRE2Pattern
            do {
                pattern = try PCRE2Pattern(regex, caseInsensitive: entry["regex_flag"] == "i")
            } catch {
                throw .invalidRegex(
                    path: path, section: section, index: index, pattern: regex,
                    message: "\(error.message) at offset \(error.offset)")
            }
            let ruleFields = fields.map { key, group in UAPRule.field(replacement: entry[key], defaultGroup: group) }
            rules.append(UAPRule(regex: regex, pattern: pattern, fields: ruleFields))
        }
        return rules
    }
}
