import Foundation

extension Terminal {
    /// `text` safe for a terminal: every control character (C0, DEL, C1) and every bidi
    /// control (U+061C, U+200E/F, U+202A–U+202E, U+2066–U+2069) becomes `\uXXXX`, so
    /// client-chosen ids, reasons and events can neither send escape sequences nor
    /// reorder what the operator reads. `\uXXXX` is also JSON's escape, so JSON output
    /// stays valid JSON with the same meaning. With `keepingNewlines`, "\n" (the output's
    /// own line breaks) is kept.
    static func escaped(_ text: String, keepingNewlines: Bool = false) -> String {
        guard text.unicodeScalars.contains(where: { needsEscape($0) && !(keepingNewlines && $0 == "\n") }) else { return text }
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if needsEscape(scalar) && !(keepingNewlines && scalar == "\n") {
                let hex = String(scalar.value, radix: 16)
                result.append(contentsOf: ("\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex).unicodeScalars)
            } else {
                result.append(scalar)
            }
        }
        return String(result)
    }

    /// Whether a terminal could act on the scalar instead of showing it.
    static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }

    /// Prints one result on stdout with every control character escaped but its line breaks.
    static func output(_ text: String) {
        print(escaped(text, keepingNewlines: true))
    }
}
