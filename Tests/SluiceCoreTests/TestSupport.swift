import SluiceCore
import Testing

/// A parse failure as plain values, so tests can compare and build them.
struct ParseFailure: Equatable, Sendable, CustomStringConvertible {
    let reason: JSONParseError.Reason
    let offset: Int

    init(_ reason: JSONParseError.Reason, at offset: Int) {
        self.reason = reason
        self.offset = offset
    }

    var description: String { "\(reason) at \(offset)" }
}

/// Parses JSON text, returning the failure instead of throwing it (nil when it parses).
func parseError(_ text: String, maxDepth: Int = JSONParser.defaultMaxDepth) -> ParseFailure? {
    parseError(Array(text.utf8), maxDepth: maxDepth)
}

/// Parses JSON bytes, returning the failure instead of throwing it (nil when it parses).
func parseError(_ bytes: [UInt8], maxDepth: Int = JSONParser.defaultMaxDepth, bytesPerContainer: Int? = nil) -> ParseFailure? {
    do {
        _ = try JSONParser.parse(bytes, maxDepth: maxDepth, bytesPerContainer: bytesPerContainer)
        return nil
    } catch {
        return ParseFailure(error.reason, at: error.offset)
    }
}
