import SluiceCore
import Testing

@Suite("JSONParser: values")
struct JSONParserValueTests {
    @Test func literals() throws {
        #expect(try JSONParser.parse("true") == .bool(true))
        #expect(try JSONParser.parse("false") == .bool(false))
        #expect(try JSONParser.parse("null") == .null)
        #expect(try JSONParser.parse(" \t\r\n null \n") == .null)
    }

    @Test func objectKeepsKeysInDocumentOrder() throws {
        let value = try JSONParser.parse(#"{"b": 1, "a": "x", "c": [true, null]}"#)
        let object = try #require(value.objectValue)
        #expect(object.members.map(\.key) == ["b", "a", "c"])
        #expect(object["b"] == .int(1))
        #expect(object["a"] == .string("x"))
        #expect(object["c"] == .array([.bool(true), .null]))
    }

    @Test func emptyContainers() throws {
        #expect(try JSONParser.parse("{}") == .object(JSONObject()))
        #expect(try JSONParser.parse("[ ]") == .array([]))
        #expect(try JSONParser.parse(#""""#) == .string(""))
    }

    @Test func nestedArraysAndObjects() throws {
        let value = try JSONParser.parse(#"[1, [2, {"k": [3]}], {}]"#)
        let inner = JSONValue.object(JSONObject([("k", .array([.int(3)]))]))
        #expect(value == .array([.int(1), .array([.int(2), inner]), .object(JSONObject())]))
    }

    @Test(arguments: [
        ("0", Int64(0)), ("-0", 0), ("42", 42), ("-17", -17),
        ("9223372036854775807", Int64.max), ("-9223372036854775808", Int64.min),
        // 18 digits are accumulated as they are scanned; 19 take the slower exact path.
        ("999999999999999999", 999_999_999_999_999_999), ("-999999999999999999", -999_999_999_999_999_999),
        ("1000000000000000000", 1_000_000_000_000_000_000), ("-1000000000000000000", -1_000_000_000_000_000_000),
        ("1795608000000", 1_795_608_000_000),
    ])
    func integersStayIntegers(text: String, expected: Int64) throws {
        #expect(try JSONParser.parse(text) == .int(expected))
    }

    @Test(arguments: [
        ("1.5", 1.5), ("-0.25", -0.25), ("1e3", 1000), ("1E+2", 100), ("25e-1", 2.5), ("2.0", 2), ("0.0", 0),
    ])
    func fractionsAndExponentsAreDoubles(text: String, expected: Double) throws {
        #expect(try JSONParser.parse(text) == .double(expected))
    }

    @Test(arguments: [
        ("9223372036854775808", 9_223_372_036_854_775_808.0),
        ("-9223372036854775809", -9_223_372_036_854_775_809.0),
        ("100000000000000000000", 1e20),
    ])
    func integersBeyondInt64BecomeDoubles(text: String, expected: Double) throws {
        #expect(try JSONParser.parse(text) == .double(expected))
    }

    @Test func acceptsByteArrayAndRawBufferInput() throws {
        let bytes = Array(#"{"a":[1,2]}"#.utf8)
        let fromArray = try JSONParser.parse(bytes)
        let fromBuffer = try bytes.withUnsafeBytes { raw in try JSONParser.parse(raw) }
        #expect(fromArray == fromBuffer)
        #expect(fromArray.objectValue?["a"] == .array([.int(1), .int(2)]))
    }

    @Test func accessorsAndTypeNames() {
        #expect(JSONValue.int(3).numberValue == 3)
        #expect(JSONValue.double(2.5).numberValue == 2.5)
        #expect(JSONValue.string("3").numberValue == nil)
        #expect(JSONValue.string("s").stringValue == "s")
        #expect(JSONValue.int(1).stringValue == nil)
        #expect(JSONValue.null.objectValue == nil)
        let names = [JSONValue.null, .bool(true), .int(1), .double(1), .string(""), .array([]), .object(JSONObject())].map(\.typeName)
        #expect(names == ["null", "boolean", "number", "number", "string", "array", "object"])
    }
}
