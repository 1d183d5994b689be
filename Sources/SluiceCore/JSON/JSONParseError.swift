/// Why a byte sequence is not acceptable JSON, with the byte offset where it went wrong.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kinds of problem the parser reports.
    public enum Reason: Sendable, Equatable {
        case unexpectedEnd
        case unexpectedCharacter(UInt8)
        case invalidUTF8
        case invalidEscape
        case invalidNumber
        case duplicateKey(String)
        case tooDeep(limit: Int)
        /// More arrays and objects than the input's size allows: one per this many bytes.
        case tooManyContainers(bytesEach: Int)
        case trailingData
    }

    /// What went wrong.
    public let reason: Reason
    /// Byte offset in the input.
    public let offset: Int

    public var description: String {
        switch reason {
        case .unexpectedEnd: return "unexpected end of input"
        case .unexpectedCharacter(let byte):
            if byte >= 0x20 && byte < 0x7F {
                return "unexpected character '\(Character(Unicode.Scalar(byte)))' at byte \(offset)"
            }
            return "unexpected byte 0x\(String(byte, radix: 16)) at byte \(offset)"
        case .invalidUTF8: return "invalid UTF-8 in string at byte \(offset)"
        case .invalidEscape: return "invalid escape sequence at byte \(offset)"
        case .invalidNumber: return "invalid number at byte \(offset)"
        case .duplicateKey(let key): return "duplicate key \"\(key)\" at byte \(offset)"
        case .tooDeep(let limit): return "nesting deeper than \(limit) levels at byte \(offset)"
        case .tooManyContainers(let bytesEach):
            return "more arrays and objects than the body's size allows (one per \(bytesEach) bytes) at byte \(offset); flatten the data"
        case .trailingData: return "unexpected data after the JSON value at byte \(offset)"
        }
    }
}
