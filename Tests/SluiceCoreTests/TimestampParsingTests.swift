import SluiceCore
import Testing

@Suite("Timestamp: parsing")
struct TimestampParsingTests {
    /// 2026-11-25T12:00:00Z.
    static let noon: Int64 = 1_795_608_000_000

    static let hour: Int64 = 3_600_000
    static let midnight: Int64 = 1_795_564_800_000

    static let forms: [(String, Int64)] = [
        ("2026-11-25", midnight),
        ("2026-11-25T12:00:00Z", noon),
        ("2026-11-25T12:00:00", noon),
        ("2026-11-25T12:00Z", noon),
        ("2026-11-25 12:00:00Z", noon),
        ("2026-11-25t12:00:00z", noon),
        ("2026-11-25T12:00:00.123Z", noon + 123),
        ("2026-11-25T12:00:00,123Z", noon + 123),
        ("2026-11-25T12:00:00.1Z", noon + 100),
        ("2026-11-25T12:00:00.12Z", noon + 120),
        ("2026-11-25T12:00:00.1234567Z", noon + 123),
        ("2026-11-25T12:00:00.9999Z", noon + 999),
        ("2026-11-25T12:00:00+01:00", noon - hour),
        ("2026-11-25T12:00:00+0100", noon - hour),
        ("2026-11-25T12:00:00-0530", noon + (5 * hour + hour / 2)),
        ("2026-11-25T12:00:00-05:30", noon + (5 * hour + hour / 2)),
        ("2026-11-25T12:00:00.500+00:00", noon + 500),
        ("2026-11-25T00:30:00+01:00", midnight - hour / 2),
        ("2026-11-25T23:59:60Z", midnight + 24 * hour - 1000),
    ]

    @Test(arguments: forms)
    func iso8601Forms(text: String, expected: Int64) {
        #expect(Timestamp.parseISO8601(text) == expected)
    }

    @Test func leapDayAndBefore1970() {
        #expect(Timestamp.parseISO8601("2024-02-29T23:59:59.999Z") == 1_709_251_199_999)
        #expect(Timestamp.parseISO8601("2000-02-29") != nil)
        #expect(Timestamp.parseISO8601("1970-01-01T00:00:00Z") == 0)
        #expect(Timestamp.parseISO8601("1969-12-31T23:59:59.999Z") == -1)
        #expect(Timestamp.parseISO8601("1960-03-01") == -310_435_200_000)
    }

    @Test(arguments: [
        "2026-02-30", "2026-02-29", "1900-02-29", "2026-04-31", "2026-13-01", "2026-00-10", "2026-11-00", "2026-11-32",
        "2026-11-25T24:00:00Z", "2026-11-25T12:60:00Z", "2026-11-25T12:00:61Z",
        "2026-11-25T12:00:00+24:00", "2026-11-25T12:00:00+01:60", "2026-11-25T12:00:00+01", "2026-11-25T12:00:00+1:00",
        "garbage", "", "yesterday", "2026", "2026-11", "2026-1-5", "26-11-25", "2026/11/25", "+2026-11-25",
        "2026-11-25x", "2026-11-25T", "2026-11-25T12", "2026-11-25T1:00", "2026-11-25T12:00:00.", "2026-11-25T12:00:00.Z",
        "2026-11-25T12:00:00Zjunk", "2026-11-25T12:00:00+01:00x", "2026-11-25T12:00:00 ", " 2026-11-25",
        "2026-11-25T12:00:00ZZ", "1764000000",
    ])
    func invalidTextIsNil(text: String) {
        #expect(Timestamp.parseISO8601(text) == nil)
    }

    @Test func millisecondsFromJSONValues() {
        #expect(Timestamp.milliseconds(from: .int(1_795_608_000_123)) == 1_795_608_000_123)
        #expect(Timestamp.milliseconds(from: .double(1_795_608_000_123.9)) == 1_795_608_000_123)
        #expect(Timestamp.milliseconds(from: .double(-1.5)) == -2)
        #expect(Timestamp.milliseconds(from: .string("2026-11-25T12:00:00Z")) == Self.noon)
    }

    @Test(arguments: [JSONValue.null, .bool(true), .string("soon"), .double(1e20), .double(.infinity), .double(.nan), .array([]), .object(JSONObject())])
    func millisecondsRejectsOtherValues(value: JSONValue) {
        #expect(Timestamp.milliseconds(from: value) == nil)
    }

    @Test func acceptedRangeIs2000To2100() {
        #expect(Timestamp.parseISO8601("2000-01-01T00:00:00Z") == Timestamp.earliest)
        #expect(Timestamp.parseISO8601("2100-01-01T00:00:00Z") == Timestamp.latest)
    }
}
