import Foundation
import SluiceRollups

/// The days a report covers, whole days in a site's time zone, and the roll-up buckets
/// that hold them (docs/dashboard.md#reports).
///
/// Buckets are UTC hours and UTC days, and a range reads them from each local midnight
/// moved back to the start of its UTC hour, so a zone with a non-whole-hour offset
/// (India's +5:30) is approximated to the hour. The whole UTC days inside are read as day
/// buckets when every day boundary falls on a UTC midnight (UTC itself, or a zone at offset
/// 0 all along the range) or the range is longer than two days; the rest as hour buckets
/// (`ReportRange+Buckets.swift`). The series has one point per hour for ranges of up to
/// two days and one per day otherwise.
public struct ReportRange: Sendable, Equatable {
    /// The ranges a query string may name (`range=`).
    public enum Preset: String, Sendable, CaseIterable {
        case today, yesterday
        /// The last 7 or 30 days, ending today inclusive.
        case last7Days = "7d"
        case last30Days = "30d"
        /// `from` … `to`.
        case custom
    }

    /// The longest range allowed, in days.
    public static let maxDays = 400
    /// Days up to which the series has a point per hour.
    public static let hourlySeriesMaxDays = 2

    public let timeZone: TimeZone
    /// The first and the last day, both included.
    public let first: CivilDate
    public let last: CivilDate
    /// The first day's local midnight and the local midnight after the last day (epoch ms).
    public let start: Int64
    public let end: Int64
    /// Whether every day boundary of the range falls on a UTC midnight.
    public let isUTCAligned: Bool
    /// The end of the buckets the range reads: `end` moved back to its UTC hour, or, for the
    /// period compared with a range holding `now` (ending today or later), the end of the
    /// hour as far into it as that range has run.
    public let bucketEnd: Int64
    /// `parse`'s `now` when the range holds it (ends today or later), nil otherwise: its
    /// previous period is read only as far as it has run.
    public let now: Int64?

    /// The range from `first` to `last` in `timeZone`.
    public init(first: CivilDate, last: CivilDate, timeZone: TimeZone) throws(ReportParameterError) {
        guard first <= last else { throw .fromAfterTo(from: first, to: last) }
        let days = last.dayNumber - first.dayNumber + 1
        guard days <= Self.maxDays else { throw .rangeTooLong(days: days) }
        self.init(checkedFirst: first, last: last, timeZone: timeZone, now: nil, elapsed: nil)
    }

    /// The range as `parse` makes it: when `now` falls inside it (the range ends today or later),
    /// it is kept so the previous period can be cut at the same point.
    init(first: CivilDate, last: CivilDate, timeZone: TimeZone, now: Int64) throws(ReportParameterError) {
        let range = try ReportRange(first: first, last: last, timeZone: timeZone)
        guard range.start <= now, now < range.end else {
            self = range
            return
        }
        self.init(checkedFirst: first, last: last, timeZone: timeZone, now: now, elapsed: nil)
    }

    /// `elapsed` (ms from `start`) cuts the buckets read at the end of the hour it reaches.
    private init(checkedFirst first: CivilDate, last: CivilDate, timeZone: TimeZone, now: Int64?, elapsed: Int64?) {
        self.timeZone = timeZone
        self.first = first
        self.last = last
        self.now = now
        let start = Self.midnight(of: first, in: timeZone)
        let end = Self.midnight(of: last.adding(days: 1), in: timeZone)
        self.start = start
        self.end = end
        isUTCAligned = (0...(last.dayNumber - first.dayNumber + 1)).allSatisfy {
            Self.midnight(of: first.adding(days: $0), in: timeZone) % RollupBucket.Granularity.day.milliseconds == 0
        }
        let hour = RollupBucket.Granularity.hour.milliseconds
        bucketEnd = elapsed.map { min(Self.hourFloor(start + $0 + hour - 1), Self.hourFloor(end)) } ?? Self.hourFloor(end)
    }

    /// The number of days.
    public var days: Int { last.dayNumber - first.dayNumber + 1 }

    /// The period of equal length just before this one; for a range holding `now`, read
    /// only as far into it as this one has run (to the hour), so a partial day is compared
    /// with the same part of a day.
    public var previous: ReportRange {
        ReportRange(checkedFirst: first.adding(days: -days), last: first.adding(days: -1), timeZone: timeZone, now: nil, elapsed: now.map { $0 - start })
    }

    /// The granularity of the buckets the range's totals are mostly read from: days when
    /// whole UTC days are read as such, else hours.
    public var totalsGranularity: RollupBucket.Granularity { readsDays ? .day : .hour }

    /// One point of the series per hour or per day.
    public var seriesGranularity: RollupBucket.Granularity { days <= Self.hourlySeriesMaxDays ? .hour : .day }

    /// The granularity of the buckets the series is read from: hours, or the totals' own buckets.
    public var seriesBucketGranularity: RollupBucket.Granularity { seriesGranularity == .hour ? .hour : totalsGranularity }

    /// The first bucket millisecond the range reads: `start` moved back to its UTC hour.
    public var bucketStart: Int64 { Self.hourFloor(start) }

    /// The series' points, in time order, each with the bucket span it covers.
    public var seriesSlots: [ReportSeriesSlot] {
        if seriesGranularity == .hour {
            let hour = RollupBucket.Granularity.hour.milliseconds
            return stride(from: bucketStart, to: bucketEnd, by: Int(hour)).map { slotStart in
                ReportSeriesSlot(start: slotStart, end: slotStart + hour, label: Self.localLabel(slotStart, in: timeZone))
            }
        }
        return (0..<days).map { offset in
            let day = first.adding(days: offset)
            return ReportSeriesSlot(
                start: Self.hourFloor(Self.midnight(of: day, in: timeZone)),
                end: Self.hourFloor(Self.midnight(of: day.adding(days: 1), in: timeZone)), label: day.description)
        }
    }

    /// The local midnight starting `date` in `zone` (epoch ms); where a zone skips
    /// midnight (a daylight-saving jump), the instant the day begins.
    public static func midnight(of date: CivilDate, in zone: TimeZone) -> Int64 {
        let local = Int64(date.dayNumber) * RollupBucket.Granularity.day.milliseconds
        let guess = local - offset(at: local, in: zone)
        let candidate = local - offset(at: guess, in: zone)
        // West of UTC a skipped midnight puts the candidate in the evening before (offset after
        // the jump applied before it): the day then begins where the offset before the jump puts it.
        return day(containing: candidate, in: zone) == date ? candidate : local - offset(at: candidate, in: zone)
    }

    /// The day in `zone` holding the instant `milliseconds`.
    public static func day(containing milliseconds: Int64, in zone: TimeZone) -> CivilDate {
        let local = milliseconds + offset(at: milliseconds, in: zone)
        let span = RollupBucket.Granularity.day.milliseconds
        return CivilDate(dayNumber: Int(local >= 0 ? local / span : (local + 1) / span - 1))
    }

    /// `zone`'s offset from UTC at `milliseconds`, in ms.
    static func offset(at milliseconds: Int64, in zone: TimeZone) -> Int64 {
        Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(milliseconds) / 1000))) * 1000
    }

    static func hourFloor(_ milliseconds: Int64) -> Int64 {
        RollupBucket(site: nil, granularity: .hour, containing: milliseconds).start
    }

    /// `YYYY-MM-DD HH:MM` of `milliseconds` in `zone`.
    private static func localLabel(_ milliseconds: Int64, in zone: TimeZone) -> String {
        let local = milliseconds + offset(at: milliseconds, in: zone)
        let day = day(containing: milliseconds, in: zone)
        let minutes = Int((local - Int64(day.dayNumber) * RollupBucket.Granularity.day.milliseconds) / 60_000)
        let (hour, minute) = (minutes / 60, minutes % 60)
        return "\(day) \(hour < 10 ? "0" : "")\(hour):\(minute < 10 ? "0" : "")\(minute)"
    }
}

/// One point of a report's series: the buckets starting in `start ..< end` (epoch ms), and how to label it.
public struct ReportSeriesSlot: Sendable, Equatable {
    public let start: Int64
    public let end: Int64
    /// `YYYY-MM-DD` for a day, `YYYY-MM-DD HH:MM` (local) for an hour.
    public let label: String
}
