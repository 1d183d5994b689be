import Testing

import SluiceCore

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

    @Test(arguments: [
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
}
