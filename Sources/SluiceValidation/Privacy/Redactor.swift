import SluiceCore

/// Scrubs personal data from free text before it is queued: email addresses,
/// phone numbers and payment card numbers, replaced by `[email]`, `[phone]`,
/// `[card]`.
///
/// Rules (docs/privacy.md): an email is `local@domain.tld`; a card is 13–19
/// digits, optionally grouped by single spaces or dashes, that pass the Luhn
/// check; a phone is 8–15 digits that start with `+` or are grouped by
/// separators (`555-123-4567`, `(555) 123 4567`), so plain ids and
/// timestamps inside text are left alone.
public struct Redactor: Sendable {
    /// The kinds of data the redactor can scrub.
    public enum Kind: String, Sendable, CaseIterable {
        case email, phone, card
    }

    /// The kinds enabled.
    public let kinds: Set<Kind>
    /// Operator-defined rules (`SLUICE_REDACT_PATTERNS`), applied after the built-in kinds.
    public let custom: [RedactionRule]
    /// `kinds`, read once: a Set lookup per byte position was most of a scan's cost.
    private let scrubsEmail: Bool
    private let scrubsPhone: Bool
    private let scrubsCard: Bool

    /// A redactor for `kinds` (all three by default) and any custom rules.
    public init(kinds: Set<Kind> = Set(Kind.allCases), custom: [RedactionRule] = []) {
        self.kinds = kinds
        self.custom = custom
        scrubsEmail = kinds.contains(.email)
        scrubsPhone = kinds.contains(.phone)
        scrubsCard = kinds.contains(.card)
    }

    /// The text with every match replaced, and how many were replaced.
    public func redact(_ text: String) -> (text: String, count: Int) {
        var (result, count) = redactBuiltIn(text)
        for rule in custom {
            let (replaced, matches) = rule.apply(result)
            if matches > 0 {
                result = replaced
                count += matches
            }
        }
        return (result, count)
    }

    private func redactBuiltIn(_ text: String) -> (text: String, count: Int) {
        guard mayMatchBuiltIn(text) else { return (text, 0) }
        let input = Array(text.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        var count = 0
        var index = 0
        // Linear in the text: every scan starts at a word boundary and the
        // positions it has judged are not judged again (see `NextStep`).
        var emailJudgedUntil = 0
        while index < input.count {
            switch nextStep(input, at: index, previous: output.last, emailJudgedUntil: &emailJudgedUntil) {
            case .replace(let end, let kind):
                output.append(contentsOf: Array("[\(kind.rawValue)]".utf8))
                count += 1
                index = end
            case .keep(let end) where end == index + 1:
                output.append(input[index])
                index = end
            case .keep(let end):
                output.append(contentsOf: input[index..<end])
                index = end
            }
        }
        guard count > 0 else { return (text, 0) }
        return (String(decoding: output, as: UTF8.self), count)
    }

    /// Whether `text` holds what a match needs: an email an `@`, a phone at least 8
    /// digits and a card 13. Most texts (order numbers, dates) have neither and are
    /// not scanned.
    private func mayMatchBuiltIn(_ text: String) -> Bool {
        let scrubsNumbers = scrubsPhone || scrubsCard
        guard scrubsEmail || scrubsNumbers else { return false }
        var text = text
        return text.withUTF8 { bytes in
            var digits = 0
            for byte in bytes {
                if byte == UInt8(ascii: "@") {
                    if scrubsEmail { return true }
                } else if isDigit(byte) {
                    digits += 1
                    if digits >= Self.fewestNumberDigits && scrubsNumbers { return true }
                }
            }
            return false
        }
    }

    /// The fewest digits of a phone number, and so of anything `phoneEnd` or `cardEnd` accepts.
    private static let fewestNumberDigits = 8
    /// The most digits of a phone number (E.164).
    private static let mostPhoneDigits = 15

    /// Redacts every string inside a JSON value (keys are kept). Arrays and objects
    /// are copied only when something in them is redacted, which is rarely.
    public func redact(_ value: JSONValue) -> (value: JSONValue, count: Int) {
        switch value {
        case .string(let text):
            let (redacted, count) = redact(text)
            return (count > 0 ? .string(redacted) : value, count)
        case .array(let elements):
            var total = 0
            var redactedElements: [JSONValue]?
            for (index, element) in elements.enumerated() {
                let (redacted, count) = redact(element)
                guard count > 0 else { continue }
                total += count
                if redactedElements == nil { redactedElements = elements }
                redactedElements![index] = redacted
            }
            return (redactedElements.map(JSONValue.array) ?? value, total)
        case .object(let object):
            var total = 0
            var redactedObject: JSONObject?
            for (index, member) in object.members.enumerated() {
                let (redacted, count) = redact(member.value)
                guard count > 0 else { continue }
                total += count
                if redactedObject == nil { redactedObject = object }
                // By position: a look-up by key per redacted member was quadratic.
                redactedObject!.setValue(redacted, at: index)
            }
            return (redactedObject.map(JSONValue.object) ?? value, total)
        default:
            return (value, 0)
        }
    }

    /// What to do with the text from `start`: replace a match, or keep bytes as they are.
    private enum NextStep {
        case replace(end: Int, kind: Kind)
        case keep(end: Int)
    }

    /// Judges the text at `start`. Two rules keep the whole scan linear however the
    /// text is crafted: an email that fails from one start fails from every later
    /// start in the same run of local-part bytes (they reach the same `@` and
    /// domain), so `emailJudgedUntil` skips them; and a run of digits and
    /// separators is judged as a whole, from its first byte: a run that is not a
    /// card or a phone as a whole is kept as it is, so no fragment of a long id is
    /// taken for a phone number either.
    private func nextStep(_ s: [UInt8], at start: Int, previous: UInt8?, emailJudgedUntil: inout Int) -> NextStep {
        let byte = s[start]
        // Matches start at a word boundary only.
        if let previous, isAlphanumeric(previous) || previous == UInt8(ascii: ".") || previous == UInt8(ascii: "_") { return .keep(end: start + 1) }
        if scrubsEmail, start >= emailJudgedUntil, isLocalPart(byte) {
            switch emailEnd(s, from: start) {
            case .success(let end): return .replace(end: end, kind: .email)
            case .failure(let judged): emailJudgedUntil = judged.localPartEnd
            }
        }
        guard scrubsCard || scrubsPhone, isDigit(byte) || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "(") else { return .keep(end: start + 1) }
        if scrubsCard, isDigit(byte), let end = cardEnd(s, from: start) { return .replace(end: end, kind: .card) }
        if scrubsPhone, let end = phoneEnd(s, from: start) { return .replace(end: end, kind: .phone) }
        return .keep(end: numberRunEnd(s, from: start))
    }

    /// Where the run of digits and separators that starts at `start` ends: the
    /// bytes `phoneEnd` may cover, without its digit limit. Covers `start` at least.
    private func numberRunEnd(_ s: [UInt8], from start: Int) -> Int {
        var index = start + 1
        while index < s.count {
            if isDigit(s[index]) {
                index += 1
            } else if separatorContinuesNumber(s, at: index) {
                index += 1
            } else {
                break
            }
        }
        return index
    }

    /// An email that does not start at a position: where its local part's run ended.
    private struct NoEmail: Error {
        let localPartEnd: Int
    }

    private func emailEnd(_ s: [UInt8], from start: Int) -> Result<Int, NoEmail> {
        var at = start
        while at < s.count, isLocalPart(s[at]) { at += 1 }
        let noEmail = Result<Int, NoEmail>.failure(NoEmail(localPartEnd: at))
        guard at > start, at < s.count, s[at] == UInt8(ascii: "@") else { return noEmail }
        var end = at + 1
        while end < s.count, isAlphanumeric(s[end]) || s[end] == UInt8(ascii: ".") || s[end] == UInt8(ascii: "-") { end += 1 }
        while end > at + 1, s[end - 1] == UInt8(ascii: ".") || s[end - 1] == UInt8(ascii: "-") { end -= 1 }  // "mail me at a@b.com."
        let domain = s[(at + 1)..<end]
        guard let lastDot = domain.lastIndex(of: UInt8(ascii: ".")), lastDot > at + 1, end - lastDot - 1 >= 2,
            s[(lastDot + 1)..<end].allSatisfy(isLetter)
        else { return noEmail }
        return .success(end)
    }

    /// The end of the longest card number from `start`: 13–19 digits that end a group
    /// (a separator, a non-digit or the text's end follows) and pass the Luhn check,
    /// so `4111 1111 1111 1111 12/25` still loses its card number.
    private func cardEnd(_ s: [UInt8], from start: Int) -> Int? {
        var digits: [UInt8] = []
        var index = start
        var longest: Int?
        while index < s.count, digits.count < 19 {
            if isDigit(s[index]) {
                digits.append(s[index] - 0x30)
                index += 1
                let endsGroup = index == s.count || !isAlphanumeric(s[index])
                if endsGroup, digits.count >= 13, luhn(digits) { longest = index }
            } else if s[index] == UInt8(ascii: " ") || s[index] == UInt8(ascii: "-"), index + 1 < s.count, isDigit(s[index + 1]) {
                index += 1
            } else {
                break
            }
        }
        return longest
    }

    private func phoneEnd(_ s: [UInt8], from start: Int) -> Int? {
        var digits = 0
        var separators = 0
        var index = start
        var end = start
        let plus = s[start] == UInt8(ascii: "+")
        if plus { index += 1 }
        while index < s.count {
            let byte = s[index]
            if isDigit(byte) {
                digits += 1
                // Past the longest phone number: no need to read the rest of the run.
                if digits > Self.mostPhoneDigits { return nil }
                index += 1
                end = index
            } else if isNumberSeparator(byte) {
                guard separatorContinuesNumber(s, at: index) else { break }
                separators += 1
                index += 1
            } else {
                break
            }
        }
        guard digits >= Self.fewestNumberDigits, plus || separators >= 2, end == s.count || !isAlphanumeric(s[end]) else { return nil }
        return end
    }

    private func luhn(_ digits: [UInt8]) -> Bool {
        var sum = 0
        for (position, digit) in digits.reversed().enumerated() {
            var value = Int(digit)
            if position % 2 == 1 {
                value *= 2
                if value > 9 { value -= 9 }
            }
            sum += value
        }
        return sum % 10 == 0
    }

    private func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
    /// Whether the separator at `index` is inside a number: followed by a digit or
    /// `(`, or a `)` followed by a space (`(415) 555-0100`).
    private func separatorContinuesNumber(_ s: [UInt8], at index: Int) -> Bool {
        guard isNumberSeparator(s[index]), index + 1 < s.count else { return false }
        let next = s[index + 1]
        return isDigit(next) || next == UInt8(ascii: "(") || (s[index] == UInt8(ascii: ")") && next == UInt8(ascii: " "))
    }
    private func isNumberSeparator(_ b: UInt8) -> Bool {
        b == UInt8(ascii: " ") || b == UInt8(ascii: "-") || b == UInt8(ascii: ".") || b == UInt8(ascii: "(") || b == UInt8(ascii: ")")
    }
    private func isLetter(_ b: UInt8) -> Bool { (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) }
    private func isAlphanumeric(_ b: UInt8) -> Bool { isDigit(b) || isLetter(b) }
    private func isLocalPart(_ b: UInt8) -> Bool {
        isAlphanumeric(b) || b == UInt8(ascii: ".") || b == UInt8(ascii: "_") || b == UInt8(ascii: "%") || b == UInt8(ascii: "+") || b == UInt8(ascii: "-")
    }
}

/// A redaction rule from outside this module, e.g. an operator's regular expression:
/// `apply` returns the text with its matches replaced and how many there were.
public struct RedactionRule: Sendable {
    /// The rule's name; matches become `[name]`.
    public let name: String
    /// Replaces the rule's matches.
    public let apply: @Sendable (String) -> (String, Int)

    /// A rule named `name`.
    public init(name: String, apply: @escaping @Sendable (String) -> (String, Int)) {
        self.name = name
        self.apply = apply
    }
}
