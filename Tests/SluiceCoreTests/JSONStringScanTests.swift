import SluiceCore
import Testing

/// The parser and the writer find the end of a plain run eight bytes at a time;
/// these strings put quotes, backslashes, control characters and multi-byte
/// characters at every offset within and across those words.
@Suite("JSON strings: every offset")
struct JSONStringScanTests {
    static let pieces: [String] = ["a", "Z", "~", " ", "\"", "\\", "\n", "\u{01}", "\u{1F}", "\u{7F}", "é", "世", "😀"]

    /// Seeded random strings of 0 to 40 pieces.
    static func strings() -> [String] {
        var random = SplitMix64(seed: 0x5EED)
        return (0..<3000).map { _ in
            String((0..<Int.random(in: 0...40, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined())
        }
    }

    /// Escapes everything JSON requires as `\u` sequences: a writer-independent encoding.
    static func referenceEncoding(_ string: String) -> String {
        var out = "\""
        for scalar in string.unicodeScalars {
            if scalar == "\"" || scalar == "\\" || scalar.value < 0x20 {
                out += "\\u00" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    @Test func theParserReadsEachStringBack() throws {
        for string in Self.strings() {
            let text = Self.referenceEncoding(string)
            #expect(try JSONParser.parse(Array(text.utf8)) == .string(string), "\(text)")
            // The same string as an object key and followed by more input.
            #expect(try JSONParser.parse(Array("{\(text):[\(text),1]}".utf8)) == .object(JSONObject([(string, .array([.string(string), .int(1)]))])))
        }
    }

    @Test func theWriterEscapesEachStringSoItParsesBack() throws {
        for string in Self.strings() {
            var out: [UInt8] = []
            JSONWriter.writeString(string, into: &out)
            #expect(!out.dropFirst().dropLast().contains { $0 < 0x20 }, "a raw control character in \(out)")
            #expect(try JSONParser.parse(out) == .string(string))
        }
    }

    /// A lone lead byte must be refused wherever it falls relative to the end of the run,
    /// including in the same eight bytes as the closing quote or an escape.
    @Test(arguments: 0..<10)
    func invalidUTF8JustBeforeTheRunEndsIsRefused(gap: Int) throws {
        for position in 0..<10 {
            let before = [UInt8](repeating: 0x61, count: position) + [0xC3] + [UInt8](repeating: 0x62, count: gap)
            #expect(parseError([0x22] + before + [0x22]) == ParseFailure(.invalidUTF8, at: 1))
            #expect(parseError([0x22] + before + [0x5C, 0x6E, 0x22]) == ParseFailure(.invalidUTF8, at: 1))
        }
    }
}
