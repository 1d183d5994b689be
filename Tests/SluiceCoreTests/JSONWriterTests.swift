import SluiceCore
import Testing

@Suite("JSONWriter")
struct JSONWriterTests {
    static let tricky = JSONValue.object(
        JSONObject([
            ("z-first", .int(1)),
            ("quote\"key", .string("say \"hi\" \\ back\\slash / slash")),
            ("control", .string("nul\u{0} bell\u{07} tab\t nl\n cr\r ff\u{0C} bs\u{08} us\u{1F} del\u{7F}")),
            ("unicode", .string("é 世界 😀 \u{2028}")),
            (
                "numbers",
                .array([
                    .int(0), .int(-42), .int(Int64.max), .int(Int64.min), .double(1.5), .double(-0.001), .double(1e20), .double(2.0),
                    .double(.leastNonzeroMagnitude),
                ])
            ),
            ("literals", .array([.null, .bool(true), .bool(false)])),
            ("nested", .object(JSONObject([("a", .array([.object(JSONObject([("b", .array([]))])), .object(JSONObject())]))]))),
            ("", .string("")),
        ]))

    @Test func roundTripsThroughTheParser() throws {
        let bytes = JSONWriter.bytes(of: Self.tricky)
        #expect(try JSONParser.parse(bytes) == Self.tricky)
    }

    @Test func stringAndBytesAgree() {
        #expect(Array(JSONWriter.string(of: Self.tricky).utf8) == JSONWriter.bytes(of: Self.tricky))
    }

    @Test func writesCompactJSONInMemberOrder() {
        let value = JSONValue.object(JSONObject([("b", .int(1)), ("a", .array([.bool(true), .null]))]))
        #expect(JSONWriter.string(of: value) == #"{"b":1,"a":[true,null]}"#)
    }

    @Test func escapesQuotesBackslashesAndControlCharacters() {
        #expect(JSONWriter.string(of: .string("a\"b\\c\nd\re\tf\u{01}g\u{1F}")) == #""a\"b\\c\nd\re\tf\u0001g\u001f""#)
    }

    @Test func leavesNonASCIIUnescaped() {
        #expect(JSONWriter.string(of: .string("é😀")) == "\"é😀\"")
    }

    @Test func keepsIntegersAndDoublesDistinct() throws {
        #expect(JSONWriter.string(of: .int(3)) == "3")
        #expect(try JSONParser.parse(JSONWriter.bytes(of: .double(3))) == .double(3))
    }

    @Test func nonFiniteDoublesAreWrittenAsNull() {
        #expect(JSONWriter.string(of: .array([.double(.infinity), .double(.nan)])) == "[null,null]")
    }

    @Test func writeAppendsToExistingBuffer() {
        var out = Array("x=".utf8)
        JSONWriter.write(.int(5), into: &out)
        #expect(String(decoding: out, as: UTF8.self) == "x=5")
    }

    @Test func writesIntegerDigitsAtEveryLength() {
        let integers: [Int64] = [0, 7, -7, 9, 10, 99, 100, -100, 1_795_608_000_000, Int64.max, Int64.min]
        #expect(JSONWriter.string(of: .array(integers.map(JSONValue.int))) == "[" + integers.map(String.init).joined(separator: ",") + "]")
    }

    /// Escapes make a string up to six times longer than its bytes: the buffer must
    /// grow while a string is written, at its start, middle and end.
    @Test func escapesThatOutgrowTheBufferAreWrittenWhole() {
        let controls = String(repeating: "\u{01}", count: 300)
        let text = controls + String(repeating: "a", count: 300) + controls
        let escaped = String(repeating: "\\u0001", count: 300)
        let expected = "\"" + escaped + String(repeating: "a", count: 300) + escaped + "\""
        #expect(JSONWriter.string(of: .string(text)) == expected)
        var out = Array("x".utf8)
        JSONWriter.writeString(text, into: &out)
        #expect(String(decoding: out, as: UTF8.self) == "x" + expected)
    }
}
