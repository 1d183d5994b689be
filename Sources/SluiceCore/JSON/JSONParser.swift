/// A strict RFC 8259 JSON parser over raw bytes.
///
/// Strict where the pipeline needs it: invalid UTF-8, duplicate keys, trailing
/// data and nesting deeper than `maxDepth` are errors, never crashes or
/// silent repairs. Integers that fit in 64 bits stay integers.
public struct JSONParser {
    /// The default nesting limit for event bodies.
    public static let defaultMaxDepth = 32
    /// Up to this many members an object's keys are checked for duplicates by a scan;
    /// past it, by a hash set.
    private static let linearKeyCheckLimit = 16
    /// The most digits an integer literal can have and still be accumulated in an `Int64` without overflow.
    private static let exactIntegerDigits = 18

    /// Arrays and objects allowed before `bytesPerContainer` applies.
    private static let containerAllowance = 64

    private let bytes: UnsafeRawBufferPointer
    private let maxDepth: Int
    private let bytesPerContainer: Int?
    private var index = 0
    private var containers = 0
    /// The members and elements of the objects and arrays being parsed, innermost
    /// last: each container collects its own on these shared stacks and takes them
    /// off in one array of exactly their number when it closes, so a container
    /// costs one allocation, not one per growth step (or a reserve it never fills).
    private var memberStack: [JSONObject.Member] = []
    private var elementStack: [JSONValue] = []

    private init(bytes: UnsafeRawBufferPointer, maxDepth: Int, bytesPerContainer: Int?) {
        self.bytes = bytes
        self.maxDepth = maxDepth
        self.bytesPerContainer = bytesPerContainer
    }

    /// Parses one JSON value that must span the whole input (surrounding whitespace allowed).
    ///
    /// `bytesPerContainer`, when given, refuses input that opens more than one array
    /// or object per that many bytes read so far (beyond its first 64 containers): every container
    /// costs an allocation and a walk in each later step, and `[[[[…]]]]` packs one
    /// into every two bytes, so this bounds the work per byte of untrusted input.
    public static func parse(_ bytes: UnsafeRawBufferPointer, maxDepth: Int = defaultMaxDepth, bytesPerContainer: Int? = nil) throws(JSONParseError)
        -> JSONValue
    {
        var parser = JSONParser(bytes: bytes, maxDepth: maxDepth, bytesPerContainer: bytesPerContainer)
        parser.skipWhitespace()
        let value = try parser.parseValue(depth: 1)
        parser.skipWhitespace()
        guard parser.index == bytes.count else { throw JSONParseError(reason: .trailingData, offset: parser.index) }
        return value
    }

    /// Parses a byte array.
    public static func parse(_ bytes: [UInt8], maxDepth: Int = defaultMaxDepth, bytesPerContainer: Int? = nil) throws(JSONParseError) -> JSONValue {
        let result: Result<JSONValue, JSONParseError> = bytes.withUnsafeBytes { raw in
            Result { () throws(JSONParseError) -> JSONValue in try parse(raw, maxDepth: maxDepth, bytesPerContainer: bytesPerContainer) }
        }
        return try result.get()
    }

    /// Parses a string's UTF-8.
    public static func parse(_ text: String, maxDepth: Int = defaultMaxDepth) throws(JSONParseError) -> JSONValue {
        try parse(Array(text.utf8), maxDepth: maxDepth)
    }

    // MARK: - Grammar

    private mutating func parseValue(depth: Int) throws(JSONParseError) -> JSONValue {
        guard index < bytes.count else { throw error(.unexpectedEnd) }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth)
        case UInt8(ascii: "["): return try parseArray(depth: depth)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw error(.unexpectedCharacter(bytes[index]))
        }
    }

    /// Counts an array or object about to be parsed, within the depth and density limits.
    @inline(__always)
    private mutating func openContainer(depth: Int) throws(JSONParseError) {
        guard depth <= maxDepth else { throw error(.tooDeep(limit: maxDepth)) }
        containers += 1
        if let bytesPerContainer, containers > Self.containerAllowance + index / bytesPerContainer {
            throw error(.tooManyContainers(bytesEach: bytesPerContainer))
        }
    }

    private mutating func parseObject(depth: Int) throws(JSONParseError) -> JSONValue {
        try openContainer(depth: depth)
        index += 1
        skipWhitespace()
        if try peek() == UInt8(ascii: "}") {
            index += 1
            return .object(JSONObject())
        }
        let base = memberStack.count
        // Small objects (every event) are checked for duplicates by scanning their
        // keys; past `linearKeyCheckLimit` members a hash set takes over, so an object
        // of many keys costs linear time, not quadratic. Swift's hashing is seeded per
        // process, so crafted keys cannot make the set collide.
        var seenKeys: Set<String>?
        while true {
            skipWhitespace()
            guard try peek() == UInt8(ascii: "\"") else { throw error(.unexpectedCharacter(bytes[index])) }
            let keyOffset = index
            let key = try parseString()
            if memberStack.count - base < Self.linearKeyCheckLimit {
                for member in memberStack[base...] where JSONObject.same(member.key, key) {
                    throw JSONParseError(reason: .duplicateKey(key), offset: keyOffset)
                }
            } else {
                if seenKeys == nil { seenKeys = Set(memberStack[base...].lazy.map(\.key)) }
                if !seenKeys!.insert(key).inserted { throw JSONParseError(reason: .duplicateKey(key), offset: keyOffset) }
            }
            skipWhitespace()
            try expect(UInt8(ascii: ":"))
            skipWhitespace()
            let value = try parseValue(depth: depth + 1)
            memberStack.append(JSONObject.Member(key: key, value: value))
            skipWhitespace()
            let next = try peek()
            index += 1
            if next == UInt8(ascii: "}") {
                let members = Array(memberStack[base...])
                memberStack.removeSubrange(base...)
                return .object(JSONObject(uncheckedMembers: members))
            }
            guard next == UInt8(ascii: ",") else {
                index -= 1
                throw error(.unexpectedCharacter(next))
            }
        }
    }

    private mutating func parseArray(depth: Int) throws(JSONParseError) -> JSONValue {
        try openContainer(depth: depth)
        index += 1
        skipWhitespace()
        if try peek() == UInt8(ascii: "]") {
            index += 1
            return .array([])
        }
        let base = elementStack.count
        while true {
            skipWhitespace()
            let element = try parseValue(depth: depth + 1)
            elementStack.append(element)
            skipWhitespace()
            let next = try peek()
            index += 1
            if next == UInt8(ascii: "]") {
                let elements = Array(elementStack[base...])
                elementStack.removeSubrange(base...)
                return .array(elements)
            }
            guard next == UInt8(ascii: ",") else {
                index -= 1
                throw error(.unexpectedCharacter(next))
            }
        }
    }

    private mutating func parseString() throws(JSONParseError) -> String {
        index += 1  // opening quote
        let start = index
        let sawNonASCII = skipPlainStringBytes()
        guard index < bytes.count else { throw error(.unexpectedEnd) }
        switch bytes[index] {
        case UInt8(ascii: "\""):
            // No escapes: the string is the run of bytes itself.
            let run = UnsafeRawBufferPointer(rebasing: bytes[start..<index])
            index += 1
            return try Self.string(fromUTF8: run, isASCII: !sawNonASCII, offset: start)
        case UInt8(ascii: "\\"):
            return try parseEscapedString(from: start, copiedNonASCII: sawNonASCII)
        default:
            throw error(.unexpectedCharacter(bytes[index]))
        }
    }

    /// Moves past the bytes a string holds as they are (all but a quote, a
    /// backslash or a control character); returns whether any was non-ASCII.
    private mutating func skipPlainStringBytes() -> Bool {
        let (end, sawNonASCII) = JSONStringScan.endOfPlainRun(bytes, from: index)
        index = end
        return sawNonASCII
    }

    /// Makes a String of UTF-8 bytes, refusing invalid UTF-8. ASCII is valid by
    /// definition and is copied into an uninitialised String, which for short
    /// strings skips the validation `String(decoding:as:)` repeats (the generic
    /// `String(validating:as:)` also looks up type metadata on every call, once
    /// the largest single cost of parsing an event).
    private static func string(fromUTF8 utf8: UnsafeRawBufferPointer, isASCII: Bool, offset: Int) throws(JSONParseError) -> String {
        if isASCII {
            return String(unsafeUninitializedCapacity: utf8.count) { buffer in
                UnsafeMutableRawBufferPointer(buffer).copyMemory(from: utf8)
                return utf8.count
            }
        }
        guard let text = String(validating: utf8, as: UTF8.self) else { throw JSONParseError(reason: .invalidUTF8, offset: offset) }
        return text
    }

    /// Parses the rest of a string from its first escape, copying the runs between
    /// escapes whole. `copiedNonASCII` says whether the run before the first escape
    /// held bytes that need UTF-8 validation; bytes made by `\u` escapes are valid
    /// by construction.
    private mutating func parseEscapedString(from start: Int, copiedNonASCII: Bool) throws(JSONParseError) -> String {
        var utf8: [UInt8] = Array(UnsafeRawBufferPointer(rebasing: bytes[start..<index]))
        var needsValidation = copiedNonASCII
        while true {
            guard index < bytes.count else { throw error(.unexpectedEnd) }
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                let validated: Result<String, JSONParseError> = utf8.withUnsafeBytes { raw in
                    Result { () throws(JSONParseError) -> String in try Self.string(fromUTF8: raw, isASCII: !needsValidation, offset: start) }
                }
                return try validated.get()
            case UInt8(ascii: "\\"):
                index += 1
                try appendEscape(to: &utf8)
            default:
                throw error(.unexpectedCharacter(byte))
            }
            let runStart = index
            let sawNonASCII = skipPlainStringBytes()
            needsValidation = needsValidation || sawNonASCII
            utf8.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[runStart..<index]))
        }
    }

    /// Decodes the escape after a backslash.
    private mutating func appendEscape(to utf8: inout [UInt8]) throws(JSONParseError) {
        guard index < bytes.count else { throw error(.unexpectedEnd) }
        let escape = bytes[index]
        index += 1
        switch escape {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(escape)
        case UInt8(ascii: "b"): utf8.append(0x08)
        case UInt8(ascii: "f"): utf8.append(0x0C)
        case UInt8(ascii: "n"): utf8.append(0x0A)
        case UInt8(ascii: "r"): utf8.append(0x0D)
        case UInt8(ascii: "t"): utf8.append(0x09)
        case UInt8(ascii: "u"): try appendUnicodeEscape(to: &utf8)
        default:
            index -= 2
            throw error(.invalidEscape)
        }
    }

    private mutating func appendUnicodeEscape(to utf8: inout [UInt8]) throws(JSONParseError) {
        let escapeStart = index - 2
        var scalar = try readHex4()
        if (0xD800..<0xDC00).contains(scalar) {
            // A high surrogate must be followed by an escaped low surrogate.
            guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                throw JSONParseError(reason: .invalidEscape, offset: escapeStart)
            }
            index += 2
            let low = try readHex4()
            guard (0xDC00..<0xE000).contains(low) else { throw JSONParseError(reason: .invalidEscape, offset: escapeStart) }
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        } else if (0xDC00..<0xE000).contains(scalar) {
            throw JSONParseError(reason: .invalidEscape, offset: escapeStart)
        }
        guard let unicode = Unicode.Scalar(scalar) else { throw JSONParseError(reason: .invalidEscape, offset: escapeStart) }
        utf8.append(contentsOf: UTF8.encode(unicode)!)
    }

    private mutating func readHex4() throws(JSONParseError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw error(.unexpectedEnd) }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw error(.invalidEscape)
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    private mutating func parseNumber() throws(JSONParseError) -> JSONValue {
        let start = index
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, isDigit(bytes[index]) else { throw JSONParseError(reason: .invalidNumber, offset: start) }
        // The integer part's magnitude, exact while it has at most 18 digits.
        var magnitude: Int64 = 0
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            while index < bytes.count, isDigit(bytes[index]) {
                magnitude = magnitude &* 10 &+ Int64(bytes[index] &- UInt8(ascii: "0"))
                index += 1
            }
        }
        let integerDigits = index - start - (bytes[start] == UInt8(ascii: "-") ? 1 : 0)
        var isInteger = true
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else { throw JSONParseError(reason: .invalidNumber, offset: start) }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            isInteger = false
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, isDigit(bytes[index]) else { throw JSONParseError(reason: .invalidNumber, offset: start) }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if isInteger, integerDigits <= Self.exactIntegerDigits {
            return .int(bytes[start] == UInt8(ascii: "-") ? -magnitude : magnitude)
        }
        // The literal is pure ASCII, so this String is cheap and exact.
        let literal = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        if isInteger, let integer = Int64(literal) { return .int(integer) }
        guard let double = Double(literal), double.isFinite else { throw JSONParseError(reason: .invalidNumber, offset: start) }
        return .double(double)
    }

    // MARK: - Helpers

    @inline(__always)
    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    @inline(__always)
    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    @inline(__always)
    private func peek() throws(JSONParseError) -> UInt8 {
        guard index < bytes.count else { throw error(.unexpectedEnd) }
        return bytes[index]
    }

    @inline(__always)
    private mutating func expect(_ byte: UInt8) throws(JSONParseError) {
        guard try peek() == byte else { throw error(.unexpectedCharacter(bytes[index])) }
        index += 1
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        let utf8 = UnsafeRawBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount)
        for byte in utf8 {
            guard index < bytes.count else { throw error(.unexpectedEnd) }
            guard bytes[index] == byte else { throw error(.unexpectedCharacter(bytes[index])) }
            index += 1
        }
    }

    @inline(__always)
    private func error(_ reason: JSONParseError.Reason) -> JSONParseError {
        JSONParseError(reason: reason, offset: index)
    }
}
