import SluiceCore
import Testing

@Suite("JSONParser: strings")
struct JSONParserStringTests {
    @Test func simpleEscapes() throws {
        let value = try JSONParser.parse(#""q\" b\\ s\/ \b\f\n\r\t""#)
        #expect(value == .string("q\" b\\ s/ \u{08}\u{0C}\n\r\t"))
    }

    @Test func unicodeEscapes() throws {
        #expect(try JSONParser.parse(#""\u0041\u00e9\u20AC""#) == .string("Aé€"))
        #expect(try JSONParser.parse(#""a\u0000b""#) == .string("a\u{0}b"))
    }

    @Test func surrogatePairBecomesOneScalar() throws {
        let value = try JSONParser.parse(#""\uD83D\uDE00""#)
        #expect(value == .string("😀"))
        #expect(value.stringValue?.unicodeScalars.count == 1)
    }

    @Test func rawMultibyteUTF8IsKept() throws {
        #expect(try JSONParser.parse(#""héllo 世界 😀""#) == .string("héllo 世界 😀"))
        #expect(try JSONParser.parse(#""é\n😀""#) == .string("é\n😀"))
    }

    @Test(arguments: [
        #""\uD800""#,  // lone high surrogate at the end
        #""\uD800x""#,  // high surrogate followed by a plain character
        #""\uD800\u0041""#,  // high surrogate followed by a non-surrogate escape
        #""\uD800\uD800""#,  // two high surrogates
        #""\uDC00""#,  // lone low surrogate
        #""\uDE00\uD83D""#,  // pair in the wrong order
    ])
    func loneSurrogatesAreRejected(text: String) throws {
        let error = try #require(parseError(text))
        #expect(error.reason == .invalidEscape)
        #expect(error.offset == 1)
    }

    @Test(arguments: [#""\x""#, #""\u12G4""#, #""\'""#])
    func invalidEscapesAreRejected(text: String) throws {
        let error = try #require(parseError(text))
        #expect(error.reason == .invalidEscape)
    }

    @Test func invalidEscapeOffsetPointsAtBackslash() throws {
        let error = try #require(parseError(#"["ab\x"]"#))
        #expect(error == ParseFailure(.invalidEscape, at: 4))
    }

    @Test(
        arguments: [
            [0x22, 0xFF, 0x22],  // never valid in UTF-8
            [0x22, 0x61, 0xC3, 0x22],  // truncated two-byte sequence
            [0x22, 0xC0, 0xAF, 0x22],  // overlong '/'
            [0x22, 0xED, 0xA0, 0x80, 0x22],  // UTF-8-encoded surrogate
            [0x22, 0x5C, 0x6E, 0xFF, 0x22],  // invalid byte after an escape (slow path)
        ] as [[UInt8]])
    func invalidUTF8IsRejected(bytes: [UInt8]) throws {
        let error = try #require(parseError(bytes))
        #expect(error.reason == .invalidUTF8)
        #expect(error.offset == 1)
    }

    @Test func invalidUTF8OffsetIsStartOfStringContent() throws {
        let error = try #require(parseError([UInt8](#"{"k": ""#.utf8) + [0x61, 0xFE, 0x22, 0x7D]))
        #expect(error == ParseFailure(.invalidUTF8, at: 7))
    }

    @Test(arguments: [UInt8(0x00), 0x09, 0x0A, 0x0D, 0x1F])
    func rawControlCharactersAreRejected(byte: UInt8) throws {
        let error = try #require(parseError([0x22, 0x61, byte, 0x22]))
        #expect(error == ParseFailure(.unexpectedCharacter(byte), at: 2))
    }

    @Test func rawControlCharacterAfterEscapeIsRejected() throws {
        let error = try #require(parseError([0x22, 0x5C, 0x6E, 0x0A, 0x22]))
        #expect(error == ParseFailure(.unexpectedCharacter(0x0A), at: 3))
    }

    @Test func unterminatedStringIsUnexpectedEnd() throws {
        #expect(parseError(#""abc"#)?.reason == .unexpectedEnd)
        #expect(parseError(#""ab\"#)?.reason == .unexpectedEnd)
        #expect(parseError(#""\u12"#)?.reason == .unexpectedEnd)
    }

    // Runs of plain bytes are scanned eight at a time: every position in and
    // around a word must still stop at a quote, an escape or a control character.

    @Test(arguments: 0..<20)
    func longRunsEndAtTheQuoteWherever(length: Int) throws {
        let text = String(repeating: "abcdefghij", count: 2).prefix(length)
        #expect(try JSONParser.parse("[\"\(text)\",\"z\"]") == .array([.string(String(text)), .string("z")]))
    }

    @Test(arguments: 0..<20)
    func longRunsStopAtAnEscapeWherever(position: Int) throws {
        let before = String(repeating: "p", count: position)
        #expect(try JSONParser.parse("\"\(before)\\nafter the escape, more than a word\"") == .string(before + "\nafter the escape, more than a word"))
    }

    @Test(arguments: 0..<20)
    func longRunsStopAtAControlCharacterWherever(position: Int) throws {
        let bytes = [0x22] + [UInt8](repeating: 0x61, count: position) + [0x1F] + [UInt8](repeating: 0x62, count: 12) + [0x22]
        #expect(parseError(bytes) == ParseFailure(.unexpectedCharacter(0x1F), at: 1 + position))
    }

    @Test(arguments: 0..<20)
    func nonASCIIAnywhereInALongRunIsValidated(position: Int) throws {
        let before = [UInt8](repeating: 0x61, count: position)
        let after = [UInt8](repeating: 0x62, count: 12)
        #expect(
            try JSONParser.parse([0x22] + before + [0xC3, 0xA9] + after + [0x22]) == .string(String(decoding: before + [0xC3, 0xA9] + after, as: UTF8.self)))
        #expect(parseError([0x22] + before + [0xC3] + after + [0x22]) == ParseFailure(.invalidUTF8, at: 1))
    }

    @Test func invalidUTF8InALongRunAfterAnEscapeIsRejected() throws {
        let bytes = [0x22, 0x5C, 0x6E] + [UInt8](repeating: 0x61, count: 10) + [0xFF] + [UInt8](repeating: 0x61, count: 10) + [0x22]
        #expect(parseError(bytes) == ParseFailure(.invalidUTF8, at: 1))
    }

    @Test func escapesBetweenLongRunsAreAllDecoded() throws {
        let value = try JSONParser.parse(#""Docs \u00b7 Getting-Started | Example Shop \"quoted\" and a tab\there""#)
        #expect(value == .string("Docs · Getting-Started | Example Shop \"quoted\" and a tab\there"))
    }
}
