import SluiceCore
import Testing

@Suite("JSONParser: errors")
struct JSONParserErrorTests {
    @Test(arguments: ["", "   ", "\n\t"])
    func emptyInputIsUnexpectedEnd(text: String) {
        #expect(parseError(text) == ParseFailure(.unexpectedEnd, at: text.utf8.count))
    }

    @Test func duplicateKeysAreRejectedAtTheSecondKey() {
        #expect(parseError(#"{"a":1,"a":2}"#) == ParseFailure(.duplicateKey("a"), at: 7))
    }

    @Test func duplicateKeysAreFoundAmongManyKeys() {
        // Past the first sixteen members the parser checks keys with a hash set.
        let keys = (0..<5000).map { "\"k\(String($0 + 10000))\":0" }
        #expect(parseError("{" + keys.joined(separator: ",") + "}") == nil)
        let late = "{" + (keys + [#""k10003":1"#]).joined(separator: ",") + "}"
        #expect(parseError(late)?.reason == .duplicateKey("k10003"))
        let early = "{" + (Array(keys.prefix(20)) + [#""k10019":1"#]).joined(separator: ",") + "}"
        #expect(parseError(early)?.reason == .duplicateKey("k10019"))
    }

    @Test func containersDenserThanTheLimitAreRefusedEarly() throws {
        let nested =
            "[" + Array(repeating: String(repeating: "[", count: 20) + "0" + String(repeating: "]", count: 20), count: 2000).joined(separator: ",") + "]"
        let refused = try #require(parseError(Array(nested.utf8), bytesPerContainer: 8))
        #expect(refused.reason == .tooManyContainers(bytesEach: 8))
        #expect(refused.offset < 1000, "refused once the density shows, not at the end (\(refused.offset))")
        #expect(parseError(Array(nested.utf8)) == nil, "no limit unless asked: the worker reads canonical events whole")
        let pairs = "[" + Array(repeating: "[10,20]", count: 20_000).joined(separator: ",") + "]"
        #expect(parseError(Array(pairs.utf8), bytesPerContainer: 8) == nil, "one container per 8 bytes fits")
        let smallPairs = "[" + Array(repeating: "[1,2]", count: 20_000).joined(separator: ",") + "]"
        #expect(parseError(Array(smallPairs.utf8), bytesPerContainer: 8)?.reason == .tooManyContainers(bytesEach: 8))
    }

    @Test func duplicateKeysInNestedObjectsAreRejected() {
        #expect(parseError(#"{"o":{"k":1,"k":1}}"#)?.reason == .duplicateKey("k"))
    }

    @Test func sameKeyInSiblingObjectsIsFine() throws {
        #expect(try JSONParser.parse(#"[{"a":1},{"a":2}]"#) == .array([.object(JSONObject([("a", .int(1))])), .object(JSONObject([("a", .int(2))]))]))
    }

    @Test func nestingAtTheDefaultLimitIsAccepted() throws {
        let text = String(repeating: "[", count: 32) + String(repeating: "]", count: 32)
        var value = try JSONParser.parse(text)
        var depth = 0
        while case .array(let elements) = value {
            depth += 1
            value = elements.first ?? .null
        }
        #expect(depth == 32)
    }

    @Test func nestingOneBeyondTheDefaultLimitIsTooDeep() {
        let text = String(repeating: "[", count: 33) + String(repeating: "]", count: 33)
        #expect(parseError(text) == ParseFailure(.tooDeep(limit: 32), at: 32))
    }

    @Test func objectsCountTowardsDepth() {
        let text = String(repeating: #"{"a":"#, count: 33) + "1" + String(repeating: "}", count: 33)
        #expect(parseError(text)?.reason == .tooDeep(limit: 32))
    }

    @Test func customDepthLimit() throws {
        #expect(parseError("[[[]]]", maxDepth: 2) == ParseFailure(.tooDeep(limit: 2), at: 2))
        #expect(parseError(String(repeating: "[", count: 40) + String(repeating: "]", count: 40), maxDepth: 64) == nil)
        #expect(try JSONParser.parse("[[]]", maxDepth: 2) == .array([.array([])]))
    }

    @Test func scalarsInsideTheDeepestContainerAreFine() throws {
        // Depth counts containers; a string inside the 32nd array is not a 33rd level.
        let text = String(repeating: "[", count: 32) + #""x""# + String(repeating: "]", count: 32)
        _ = try JSONParser.parse(text)
    }

    @Test(arguments: [
        ("{} {}", 3), ("1 2", 2), ("[1]]", 3), ("true false", 5), ("nullx", 4), ("\"a\"b", 3),
    ])
    func trailingDataIsRejected(text: String, offset: Int) {
        #expect(parseError(text) == ParseFailure(.trailingData, at: offset))
    }

    @Test(arguments: [("01", 1), ("-01", 2), ("00", 1), ("[01]", 2)])
    func leadingZerosAreRejected(text: String, offset: Int) throws {
        let error = try #require(parseError(text))
        #expect(error.offset == offset)
    }

    @Test(arguments: ["-", "1.", "1e", "1e+", "-.5", "1.e3", "[-]", "1e400", "-1e400"])
    func malformedNumbersAreInvalidNumber(text: String) {
        #expect(parseError(text)?.reason == .invalidNumber)
    }

    @Test func invalidNumberOffsetIsTheNumbersStart() {
        #expect(parseError("[1, 2.]") == ParseFailure(.invalidNumber, at: 4))
    }

    @Test(arguments: [(".5", UInt8(ascii: ".")), ("+1", UInt8(ascii: "+")), ("NaN", UInt8(ascii: "N")), ("'a'", UInt8(ascii: "'"))])
    func valuesCannotStartWith(text: String, byte: UInt8) {
        #expect(parseError(text) == ParseFailure(.unexpectedCharacter(byte), at: 0))
    }

    @Test(arguments: [
        ("[1,]", ParseFailure(.unexpectedCharacter(UInt8(ascii: "]")), at: 3)),
        (#"{"a":1,}"#, ParseFailure(.unexpectedCharacter(UInt8(ascii: "}")), at: 7)),
        ("[1 2]", ParseFailure(.unexpectedCharacter(UInt8(ascii: "2")), at: 3)),
        (#"{"a" 1}"#, ParseFailure(.unexpectedCharacter(UInt8(ascii: "1")), at: 5)),
        (#"{a:1}"#, ParseFailure(.unexpectedCharacter(UInt8(ascii: "a")), at: 1)),
        (#"{"a":1 "b":2}"#, ParseFailure(.unexpectedCharacter(UInt8(ascii: "\"")), at: 7)),
        ("trux", ParseFailure(.unexpectedCharacter(UInt8(ascii: "x")), at: 3)),
        ("[", ParseFailure(.unexpectedEnd, at: 1)),
        (#"{"a":"#, ParseFailure(.unexpectedEnd, at: 5)),
        ("[1,", ParseFailure(.unexpectedEnd, at: 3)),
        ("tru", ParseFailure(.unexpectedEnd, at: 3)),
    ])
    func structuralErrorsHaveSensibleOffsets(text: String, expected: ParseFailure) {
        #expect(parseError(text) == expected)
    }

    @Test func descriptionsNameTheProblemAndOffset() throws {
        func thrown(_ text: String) throws -> JSONParseError {
            do {
                _ = try JSONParser.parse(text)
            } catch {
                return error
            }
            throw ParseSucceeded()
        }
        #expect(try thrown("{} x").description == "unexpected data after the JSON value at byte 3")
        #expect(try thrown("[1 x]").description == "unexpected character 'x' at byte 3")
        #expect(try thrown("\"a\n\"").description == "unexpected byte 0xa at byte 2")
        #expect(try thrown(#"{"k":1,"k":2}"#).description == #"duplicate key "k" at byte 7"#)
        #expect(try thrown("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]").description == "nesting deeper than 32 levels at byte 32")
    }

    private struct ParseSucceeded: Error {}
}
