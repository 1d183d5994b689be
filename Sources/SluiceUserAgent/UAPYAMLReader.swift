/// Reads the small YAML subset that uap-core's files use, without a YAML library.
///
/// `regexes.yaml` and the `tests/*.yaml` files share one shape: top-level keys whose
/// values are lists of flat maps, one `key: value` per line, values single-quoted
/// (`''` escapes a quote), double-quoted (backslash escapes), plain, or empty (null).
/// Comments are whole lines starting with `#`. Anything else is reported with its line
/// number rather than guessed at, so a future uap-core that outgrows this subset fails
/// loudly at start-up.
struct UAPYAMLReader {
    /// A problem at one line of the file.
    struct Failure: Error, Equatable {
        var line: Int
        var reason: String
    }

    /// Top-level key → list of maps; a null value is an absent key.
    typealias Document = [String: [[String: String]]]

    static func parse(_ bytes: [UInt8]) throws(Failure) -> Document {
        var document: Document = [:]
        var section: String?
        var items: [[String: String]] = []
        var item: [String: String]?
        var lineNumber = 0
        var start = 0

        func closeItem() {
            if let finished = item { items.append(finished) }
            item = nil
        }
        func closeSection() {
            closeItem()
            if let name = section { document[name] = items }
            items = []
        }

        while start < bytes.count {
            lineNumber += 1
            var end = start
            while end < bytes.count, bytes[end] != UInt8(ascii: "\n") { end += 1 }
            var line = bytes[start..<end]
            start = end + 1
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }

            let indent = line.prefix(while: { $0 == UInt8(ascii: " ") }).count
            var rest = line.dropFirst(indent)
            if rest.isEmpty || rest.first == UInt8(ascii: "#") { continue }
            if rest.first == UInt8(ascii: "\t") {
                throw Failure(line: lineNumber, reason: "tab indentation is not supported")
            }

            if indent == 0 {
                let (key, value) = try splitKeyValue(rest, line: lineNumber)
                guard value == nil else {
                    throw Failure(line: lineNumber, reason: "top-level key '\(key)' must introduce a list")
                }
                closeSection()
                section = key
                continue
            }
            guard section != nil else {
                throw Failure(line: lineNumber, reason: "indented line before any top-level key")
            }
            if rest.starts(with: [UInt8(ascii: "-"), UInt8(ascii: " ")]) {
                closeItem()
                item = [:]
                rest = rest.dropFirst(2).drop(while: { $0 == UInt8(ascii: " ") })
            } else if item == nil {
                throw Failure(line: lineNumber, reason: "map entry outside a list item ('- ' expected)")
            }
            let (key, value) = try splitKeyValue(rest, line: lineNumber)
            if let value { item?[key] = value }
        }
        closeSection()
        return document
    }

    /// Splits `key: value` and decodes the value; `nil` for an empty or `~` value.
    private static func splitKeyValue(
        _ text: ArraySlice<UInt8>, line: Int
    ) throws(Failure) -> (String, String?) {
        guard let colon = text.firstIndex(of: UInt8(ascii: ":")) else {
            throw Failure(line: line, reason: "expected 'key: value'")
        }
        let key = String(decoding: text[text.startIndex..<colon], as: UTF8.self)
        guard !key.isEmpty, key.utf8.allSatisfy(isKeyByte) else {
            throw Failure(line: line, reason: "unsupported key '\(key)'")
        }
        let raw = trimmed(text[(colon + 1)...])
        guard let first = raw.first else { return (key, nil) }
        switch first {
        case UInt8(ascii: "'"): return (key, try singleQuoted(raw, line: line))
        case UInt8(ascii: "\""): return (key, try doubleQuoted(raw, line: line))
        default:
            var plain = raw
            // A plain scalar ends at " #" (a trailing comment).
            if let hash = plain.indices.first(where: {
                plain[$0] == UInt8(ascii: "#") && $0 > plain.startIndex
                    && plain[$0 - 1] == UInt8(ascii: " ")
            }) {
                plain = trimmed(plain[plain.startIndex..<hash])
            }
            let value = String(decoding: plain, as: UTF8.self)
            return (key, value == "~" || value == "null" ? nil : value)
        }
    }

    private static func singleQuoted(_ raw: ArraySlice<UInt8>, line: Int) throws(Failure) -> String {
        var out: [UInt8] = []
        var index = raw.startIndex + 1
        while index < raw.endIndex {
            let byte = raw[index]
            if byte == UInt8(ascii: "'") {
                let next = index + 1
                if next < raw.endIndex, raw[next] == UInt8(ascii: "'") {
                    out.append(byte)
                    index += 2
                    continue
                }
                try expectEnd(raw[next...], line: line)
                return String(decoding: out, as: UTF8.self)
            }
            out.append(byte)
            index += 1
        }
        throw Failure(line: line, reason: "unterminated single-quoted string")
    }

    private static func doubleQuoted(_ raw: ArraySlice<UInt8>, line: Int) throws(Failure) -> String {
        var out: [UInt8] = []
        var index = raw.startIndex + 1
        while index < raw.endIndex {
            let byte = raw[index]
            if byte == UInt8(ascii: "\"") {
                try expectEnd(raw[(index + 1)...], line: line)
                return String(decoding: out, as: UTF8.self)
            }
            guard byte == UInt8(ascii: "\\") else {
                out.append(byte)
                index += 1
                continue
            }
            index += 1
            guard index < raw.endIndex else { break }
            switch raw[index] {
            case UInt8(ascii: "n"): out.append(UInt8(ascii: "\n"))
            case UInt8(ascii: "t"): out.append(UInt8(ascii: "\t"))
            case UInt8(ascii: "r"): out.append(UInt8(ascii: "\r"))
            case UInt8(ascii: "0"): out.append(0)
            case UInt8(ascii: "\\"), UInt8(ascii: "\""), UInt8(ascii: "/"), UInt8(ascii: " "):
                out.append(raw[index])
            default:
                throw Failure(line: line, reason: "unsupported escape '\\\(Character(Unicode.Scalar(raw[index])))'")
            }
            index += 1
        }
        throw Failure(line: line, reason: "unterminated double-quoted string")
    }

    /// After a closing quote only spaces or a comment may follow.
    private static func expectEnd(_ tail: ArraySlice<UInt8>, line: Int) throws(Failure) {
        let rest = trimmed(tail)
        if !rest.isEmpty, rest.first != UInt8(ascii: "#") {
            throw Failure(line: line, reason: "unexpected text after a quoted value")
        }
    }

    private static func trimmed(_ text: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var slice = text
        while let first = slice.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") {
            slice = slice.dropFirst()
        }
        while let last = slice.last, last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") {
            slice = slice.dropLast()
        }
        return slice
    }

    private static func isKeyByte(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "_")
    }
}
