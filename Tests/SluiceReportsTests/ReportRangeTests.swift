import Foundation
import SluiceRollups
import Testing

@testable import SluiceReports

/// Date ranges in a site's time zone: presets, custom dates, previous periods, the buckets read and the errors.
@Suite struct ReportRangeTests {
    /// 2026-12-02T03:00:00Z.
    static let now: Int64 = 1_796_180_400_000
    static let hour: Int64 = 3_600_000
    static let day: Int64 = 86_400_000

    static func utc(_ text: String) -> Int64 { Int64(CivilDate(text)!.dayNumber) * day }

    @Test func civilDatesParseOnlyRealDaysWrittenInFull() {
        #expect(CivilDate("2024-02-29")?.description == "2024-02-29")
        #expect(CivilDate("1970-01-01")?.dayNumber == 0)
        #expect(CivilDate("2026-12-02")?.dayNumber == 20_789)
        #expect(CivilDate(dayNumber: 20_789).description == "2026-12-02")
        #expect(CivilDate(dayNumber: -1).description == "1969-12-31")
        for bad in ["2023-02-29", "2026-13-01", "2026-2-03", "2026-02-3", "20260203", "2026/02/03", "abcd-ef-gh", "", "0000-01-01", "2026-02-03 "] {
            #expect(CivilDate(bad) == nil, "\(bad)")
        }
    }

    @Test func presetsEndTodayInUTC() throws {
        let today = try ReportRange.parse(range: "today", from: nil, to: nil, timeZone: nil, now: Self.now)
        #expect((today.first.description, today.last.description) == ("2026-12-02", "2026-12-02"))
        #expect((today.start, today.end) == (Self.utc("2026-12-02"), Self.utc("2026-12-03")))
        let yesterday = try ReportRange.parse(range: "yesterday", from: nil, to: nil, timeZone: "UTC", now: Self.now)
        #expect((yesterday.first.description, yesterday.last.description) == ("2026-12-01", "2026-12-01"))
        let week = try ReportRange.parse(range: "7d", from: nil, to: nil, timeZone: "", now: Self.now)
        #expect((week.first.description, week.last.description, week.days) == ("2026-11-26", "2026-12-02", 7))
        let month = try ReportRange.parse(range: "30d", from: nil, to: nil, timeZone: nil, now: Self.now)
        #expect((month.first.description, month.last.description, month.days) == ("2026-11-03", "2026-12-02", 30))
        // No range: the last 7 days; only dates: custom.
        #expect(try ReportRange.parse(range: nil, from: nil, to: nil, timeZone: nil, now: Self.now) == week)
        let custom = try ReportRange.parse(range: nil, from: "2026-01-30", to: "2026-02-02", timeZone: nil, now: Self.now)
        #expect((custom.first.description, custom.last.description, custom.days) == ("2026-01-30", "2026-02-02", 4))
    }

    @Test func thePreviousPeriodHasTheSameLengthAndEndsTheDayBefore() throws {
        let week = try ReportRange.parse(range: "7d", from: nil, to: nil, timeZone: "Europe/Paris", now: Self.now)
        let previous = week.previous
        #expect((previous.first.description, previous.last.description, previous.days) == ("2026-11-19", "2026-11-25", 7))
        #expect(previous.end == week.start)
        #expect(previous.timeZone == week.timeZone)
        // The week ends today, 04:00 in Paris: the week before is read to 04:00 on its last day too,
        // its whole UTC days as days and its edges as hours.
        #expect(
            previous.totalsSpans == [
                BucketSpan(granularity: .hour, from: Self.utc("2026-11-18") + 23 * Self.hour, to: Self.utc("2026-11-19")),
                BucketSpan(granularity: .day, from: Self.utc("2026-11-19"), to: Self.utc("2026-11-25")),
                BucketSpan(granularity: .hour, from: Self.utc("2026-11-25"), to: Self.utc("2026-11-25") + 3 * Self.hour),
            ])
        // A custom range running past today is cut the same way, at the same point of its days.
        let ahead = try ReportRange.parse(range: "custom", from: "2026-12-01", to: "2026-12-04", timeZone: "UTC", now: Self.now)
        #expect(
            ahead.previous.totalsSpans == [
                BucketSpan(granularity: .day, from: Self.utc("2026-11-27"), to: Self.utc("2026-11-28")),
                BucketSpan(granularity: .hour, from: Self.utc("2026-11-28"), to: Self.utc("2026-11-28") + 3 * Self.hour),
            ])
        // A range that does not end today is compared with whole days.
        let past = try ReportRange.parse(range: "custom", from: "2026-11-01", to: "2026-11-07", timeZone: "UTC", now: Self.now)
        #expect(past.previous.totalsSpans == [BucketSpan(granularity: .day, from: Self.utc("2026-10-25"), to: Self.utc("2026-11-01"))])
        let today = try ReportRange.parse(range: "today", from: nil, to: nil, timeZone: "UTC", now: Self.now + 30 * 60_000)
        #expect(today.totalsSpans == [BucketSpan(granularity: .day, from: Self.utc("2026-12-02"), to: Self.utc("2026-12-03"))])
        #expect(today.previous.totalsSpans == [BucketSpan(granularity: .hour, from: Self.utc("2026-12-01"), to: Self.utc("2026-12-01") + 4 * Self.hour)])
    }

    @Test func utcRangesReadDayBucketsWithADailySeries() throws {
        let range = try ReportRange.parse(range: "custom", from: "2026-11-28", to: "2026-11-30", timeZone: "UTC", now: Self.now)
        #expect(range.isUTCAligned)
        #expect((range.totalsGranularity, range.seriesGranularity, range.seriesBucketGranularity) == (.day, .day, .day))
        #expect((range.bucketStart, range.bucketEnd) == (Self.utc("2026-11-28"), Self.utc("2026-12-01")))
        #expect(range.seriesSlots.map(\.label) == ["2026-11-28", "2026-11-29", "2026-11-30"])
        #expect(range.seriesSlots.map(\.start) == [Self.utc("2026-11-28"), Self.utc("2026-11-29"), Self.utc("2026-11-30")])
        // Two days or fewer: hourly series from hour buckets, totals from day buckets.
        let today = try ReportRange.parse(range: "today", from: nil, to: nil, timeZone: nil, now: Self.now)
        #expect((today.totalsGranularity, today.seriesGranularity, today.seriesBucketGranularity) == (.day, .hour, .hour))
        #expect(today.seriesSlots.count == 24)
        #expect(today.seriesSlots.first?.label == "2026-12-02 00:00")
        #expect(today.seriesSlots.last?.label == "2026-12-02 23:00")
    }

    @Test func otherZonesReadHourBucketsFromTheirLocalMidnight() throws {
        // 03:00 UTC is 22:00 the day before in New York (UTC-5 in December).
        let today = try ReportRange.parse(range: "today", from: nil, to: nil, timeZone: "America/New_York", now: Self.now)
        #expect(today.first.description == "2026-12-01")
        #expect(!today.isUTCAligned)
        #expect((today.start, today.end) == (Self.utc("2026-12-01") + 5 * Self.hour, Self.utc("2026-12-02") + 5 * Self.hour))
        #expect((today.totalsGranularity, today.seriesBucketGranularity) == (.hour, .hour))
        #expect(today.seriesSlots.first?.label == "2026-12-01 00:00")
        let week = try ReportRange.parse(range: "7d", from: nil, to: nil, timeZone: "America/New_York", now: Self.now)
        #expect(week.seriesSlots.map { $0.end - $0.start } == Array(repeating: Self.day, count: 7))
        // Longer than two days: its whole UTC days are read as days, only the edges as hours.
        #expect((week.totalsGranularity, week.seriesGranularity, week.seriesBucketGranularity) == (.day, .day, .day))
        #expect(
            week.totalsSpans == [
                BucketSpan(granularity: .hour, from: Self.utc("2026-11-25") + 5 * Self.hour, to: Self.utc("2026-11-26")),
                BucketSpan(granularity: .day, from: Self.utc("2026-11-26"), to: Self.utc("2026-12-02")),
                BucketSpan(granularity: .hour, from: Self.utc("2026-12-02"), to: Self.utc("2026-12-02") + 5 * Self.hour),
            ])
    }

    @Test func halfHourZonesAreApproximatedToTheHour() throws {
        // India is UTC+5:30: its midnight is 18:30 UTC, read from the 18:00 bucket on.
        let range = try ReportRange.parse(range: "custom", from: "2026-12-01", to: "2026-12-01", timeZone: "Asia/Kolkata", now: Self.now)
        #expect(range.start == Self.utc("2026-11-30") + 18 * Self.hour + 30 * 60_000)
        #expect(range.bucketStart == Self.utc("2026-11-30") + 18 * Self.hour)
        #expect(range.bucketEnd == Self.utc("2026-12-01") + 18 * Self.hour)
        #expect(range.seriesSlots.count == 24)
        #expect(range.seriesSlots.first?.label == "2026-11-30 23:30")
    }

    @Test func daylightSavingDaysHave23Or25Hours() throws {
        // Paris moves to summer time on 2026-03-29 and back on 2026-10-25.
        let spring = try ReportRange(first: CivilDate("2026-03-29")!, last: CivilDate("2026-03-29")!, timeZone: ReportRange.timeZone(named: "Europe/Paris"))
        #expect(spring.start == Self.utc("2026-03-28") + 23 * Self.hour)
        #expect(spring.seriesSlots.count == 23)
        let autumn = try ReportRange(first: CivilDate("2026-10-25")!, last: CivilDate("2026-10-25")!, timeZone: ReportRange.timeZone(named: "Europe/Paris"))
        #expect(autumn.seriesSlots.count == 25)
        // Santiago skips its midnight (00:00 -04 → 01:00 -03) on 2025-09-07, Havana (-05 → -04) on 2025-03-09:
        // the day begins at 01:00 local, not at 23:00 the evening before.
        let santiago = try ReportRange(
            first: CivilDate("2025-09-07")!, last: CivilDate("2025-09-07")!, timeZone: ReportRange.timeZone(named: "America/Santiago"))
        #expect(santiago.start == Self.utc("2025-09-07") + 4 * Self.hour)
        #expect(santiago.end == Self.utc("2025-09-08") + 3 * Self.hour)
        #expect(santiago.seriesSlots.count == 23)
        #expect(santiago.seriesSlots.first?.label == "2025-09-07 01:00")
        let havana = try ReportRange(first: CivilDate("2025-03-09")!, last: CivilDate("2025-03-09")!, timeZone: ReportRange.timeZone(named: "America/Havana"))
        #expect(havana.start == Self.utc("2025-03-09") + 5 * Self.hour)
        #expect(ReportRange.day(containing: havana.start, in: havana.timeZone) == CivilDate("2025-03-09")!)
        // London is at offset 0 in winter only: a winter week reads day buckets only, a summer one an hour at each edge too;
        // two summer days read hours only.
        let london = try ReportRange.timeZone(named: "Europe/London")
        #expect(try ReportRange(first: CivilDate("2026-01-05")!, last: CivilDate("2026-01-11")!, timeZone: london).totalsSpans.map(\.granularity) == [.day])
        #expect(
            try ReportRange(first: CivilDate("2026-07-06")!, last: CivilDate("2026-07-12")!, timeZone: london).totalsSpans.map(\.granularity) == [
                .hour, .day, .hour,
            ])
        #expect(try ReportRange(first: CivilDate("2026-07-06")!, last: CivilDate("2026-07-07")!, timeZone: london).totalsSpans.map(\.granularity) == [.hour])
    }

    @Test func badParametersNameTheParameterAndTheProblem() {
        func failure(_ range: String?, _ from: String?, _ to: String?, _ zone: String?) -> ReportParameterError? {
            do {
                _ = try ReportRange.parse(range: range, from: from, to: to, timeZone: zone, now: Self.now)
                return nil
            } catch { return error }
        }
        #expect(failure("week", nil, nil, nil) == .unknownPreset("week"))
        #expect(failure("custom", nil, "2026-01-01", nil) == .missingDate(parameter: "from"))
        #expect(failure("custom", "2026-01-01", nil, nil) == .missingDate(parameter: "to"))
        #expect(failure(nil, "2026-02-30", "2026-03-01", nil) == .invalidDate(parameter: "from", value: "2026-02-30"))
        #expect(failure(nil, "2026-03-02", "2026-03-01", nil) == .fromAfterTo(from: CivilDate("2026-03-02")!, to: CivilDate("2026-03-01")!))
        #expect(failure(nil, "2025-01-01", "2026-02-05", nil) == .rangeTooLong(days: 401))
        #expect(failure(nil, "2025-01-01", "2026-02-04", nil) == nil)
        #expect(failure("today", nil, nil, "Mars/Olympus") == .unknownTimeZone("Mars/Olympus"))
        let error = ReportParameterError.unknownTimeZone("Mars/Olympus")
        #expect(error.parameter == "tz")
        #expect(error.problem.contains("IANA"))
        #expect(ReportParameterError.rangeTooLong(days: 401).problem == "the range spans 401 days; at most 400 are allowed")
        #expect(ReportParameterError.unknownPreset("week").problem == "unknown range \"week\": use one of today, yesterday, 7d, 30d, custom")
    }

    @Test func audienceAndLimitParse() throws {
        #expect(try ReportAudience.parse(nil) == .humans)
        #expect(try ReportAudience.parse("all").parts == [.human, .bot])
        #expect(throws: ReportParameterError.unknownAudience("robots")) { try ReportAudience.parse("robots") }
        #expect(try ReportLimit.parse(nil) == 10)
        #expect(try ReportLimit.parse("25") == 25)
        for bad in ["0", "-1", "1001", "ten", "2.5"] {
            #expect(throws: ReportParameterError.invalidLimit(bad)) { try ReportLimit.parse(bad) }
        }
        #expect(ReportParameterError.invalidLimit("0").parameter == "limit")
    }
}
