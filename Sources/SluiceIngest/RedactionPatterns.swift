import Foundation
import SluiceCore
import SluiceValidation

/// Operator-defined redaction patterns from the JSON file named by
/// `SLUICE_REDACT_PATTERNS`, e.g. `{"patterns": {"employee": "EMP-[0-9]{6}"}}`:
/// each is an ICU regular expression whose matches become `[name]`.
enum RedactionPatterns {
    static func load(path: String) throws(ConfigurationError) -> [RedactionRule] {
        func fail(_ expected: String) -> ConfigurationError {
            ConfigurationError(variable: IngestSettings.redactPatterns.variable, value: path, expected: expected)
        }
        guard let contents = FileManager.default.contents(atPath: path) else { throw fail("a readable JSON file") }
        let value: JSONValue
        do {
            value = try JSONParser.parse(Array(contents))
        } catch {
            throw fail("a JSON file; \(error)")
        }
        guard let patterns = value.objectValue?["patterns"]?.objectValue else {
            throw fail(#"an object with a "patterns" object of name → regular expression"#)
        }
        var rules: [RedactionRule] = []
        for member in patterns.members {
            guard let source = member.value.stringValue, !source.isEmpty else { throw fail("patterns.\(member.key) to be a non-empty string") }
            guard member.key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }), !member.key.isEmpty else {
                throw fail("pattern names of letters, digits, _ and - (got \"\(member.key)\")")
            }
            let expression: NSRegularExpression
            do {
                expression = try NSRegularExpression(pattern: source)
            } catch {
                throw fail("patterns.\(member.key) to be a valid regular expression (\(source))")
            }
            rules.append(RedactionRule(name: member.key, apply: Self.replacer(expression, replacement: "[\(member.key)]")))
        }
        return rules
    }

    private static func replacer(_ expression: NSRegularExpression, replacement: String) -> @Sendable (String) -> (String, Int) {
        // NSRegularExpression is Sendable: immutable and thread-safe once built.
        return { text in
            let range = NSRange(text.startIndex..., in: text)
            let count = expression.numberOfMatches(in: text, range: range)
            guard count > 0 else { return (text, 0) }
            let template = NSRegularExpression.escapedTemplate(for: replacement)
            return (expression.stringByReplacingMatches(in: text, range: range, withTemplate: template), count)
        }
    }
}
