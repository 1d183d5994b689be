/// One entry of a uap-core parser list: a compiled regex and, per output field, either a
/// replacement template or the capture group that fills the field by default.
struct UAPRule: Sendable {
    /// How one output field is produced when the rule matches.
    enum Field: Sendable {
        /// A `*_replacement` string, with `$1`…`$9` already split out.
        case template([TemplatePart])
        /// The default: the text of this capture group.
        case group(Int)
        /// No replacement and no default group (a device brand).
        case none
    }

    /// A piece of a replacement template.
    enum TemplatePart: Sendable {
        case literal(String)
        case group(Int)
    }

    let pattern: PCRE2Pattern
    let fields: [Field]
    /// The trigram hashes of the literals one of which any match contains, each list
    /// preceded by its length (`TrigramSet.mayContainAny(of:)`); empty when the rule must
    /// always run.
    let literalTrigrams: [UInt16]

    init(regex: String, pattern: PCRE2Pattern, fields: [Field]) {
        self.pattern = pattern
        self.fields = fields
        literalTrigrams = (RequiredLiterals.of(regex) ?? []).flatMap { literal in
            let hashes = TrigramSet.hashes(of: literal)
            return [UInt16(hashes.count)] + hashes
        }
    }

    /// Whether the regex matches; the trigram pre-filter rules most candidates out first.
    func matches(_ input: MatchInput) -> Bool {
        if let trigrams = input.trigrams, !literalTrigrams.isEmpty, !trigrams.mayContainAny(of: literalTrigrams) {
            return false
        }
        return pattern.matches(input.subject, scratch: input.scratch)
    }

    /// Builds one field: the replacement if given, else the default group.
    static func field(replacement: String?, defaultGroup: Int?) -> Field {
        if let replacement { return .template(parseTemplate(replacement)) }
        if let defaultGroup { return .group(defaultGroup) }
        return .none
    }

    /// Splits `$1`…`$9` out of a replacement; any other `$` stays literal.
    static func parseTemplate(_ replacement: String) -> [TemplatePart] {
        var parts: [TemplatePart] = []
        var literal = ""
        var scalars = replacement.unicodeScalars.makeIterator()
        var pending = scalars.next()
        while let scalar = pending {
            pending = scalars.next()
            if scalar == "$", let digit = pending, ("1"..."9").contains(digit) {
                if !literal.isEmpty { parts.append(.literal(literal)) }
                literal = ""
                parts.append(.group(Int(digit.value - ("0" as Unicode.Scalar).value)))
                pending = scalars.next()
            } else {
                literal.unicodeScalars.append(scalar)
            }
        }
        if !literal.isEmpty { parts.append(.literal(literal)) }
        return parts
    }

    /// The field values after a successful match: trimmed, with empty values as nil.
    func values(_ input: MatchInput) -> [String?] {
        let subject = input.subject
        let scratch = input.scratch
        return fields.map { field in
            let raw: String?
            switch field {
            case .none:
                raw = nil
            case .group(let index):
                raw = index <= pattern.captureCount ? scratch.group(index, in: subject).map(String.init) : nil
            case .template(let parts):
                var text = ""
                for part in parts {
                    switch part {
                    case .literal(let literal): text += literal
                    case .group(let index):
                        if index <= pattern.captureCount, let value = scratch.group(index, in: subject) {
                            text += value
                        }
                    }
                }
                raw = text
            }
            return raw.flatMap(UAPRule.trimmedOrNil)
        }
    }

    static func trimmedOrNil(_ text: String) -> String? {
        guard let first = text.firstIndex(where: { !$0.isWhitespace }),
            let last = text.lastIndex(where: { !$0.isWhitespace })
        else { return nil }
        return String(text[first...last])
    }
}
