import SluiceCore
import Testing

@Suite("Timestamp: formatting")
struct TimestampFormattingTests {
    @Test(arguments: [
        (Int64(0), "1970-01-01T00:00:00.000Z"),
        (1_795_608_000_123, "2026-11-25T12:00:00.123Z"),
        (1_709_251_199_999, "2024-02-29T23:59:59.999Z"),
        (1_709_164_800_000, "2024-02-29T00:00:00.000Z"),
        (951_782_400_000, "2000-02-29T00:00:00.000Z"),
        (-1, "1969-12-31T23:59:59.999Z"),
        (-86_400_000, "1969-12-31T00:00:00.000Z"),
        (-310_435_200_000, "1960-03-01T00:00:00.000Z"),
        (-310_435_200_001, "1960-02-29T23:59:59.999Z"),
        (946_684_800_000, "2000-01-01T00:00:00.000Z"),
        (4_102_444_799_999, "2099-12-31T23:59:59.999Z"),
        (-62_135_596_800_000, "0001-01-01T00:00:00.000Z"),
    ])
    func formats(milliseconds: Int64, expected: String) {
        #expect(Timestamp.iso8601(milliseconds: milliseconds) == expected)
    }

    @Test func formatThenParseRoundTrips() {
        var generator = SplitMix64(seed: 2026)
        var values: [Int64] = [0, -1, 1, Timestamp.earliest, Timestamp.latest, 1_709_251_199_999, -310_435_200_001]
        for _ in 0..<2000 { values.append(Int64.random(in: -2_208_988_800_000...Timestamp.latest, using: &generator)) }
        for ms in values {
            let text = Timestamp.iso8601(milliseconds: ms)
            #expect(Timestamp.parseISO8601(text) == ms, "\(ms) → \(text)")
        }
    }

    @Test func parseThenFormatRoundTripsCanonicalText() throws {
        for text in ["2026-11-25T12:00:00.123Z", "2024-02-29T00:00:00.000Z", "1999-12-31T23:59:59.999Z", "1969-07-20T20:17:40.000Z"] {
            let ms = try #require(Timestamp.parseISO8601(text))
            #expect(Timestamp.iso8601(milliseconds: ms) == text)
        }
    }
}
