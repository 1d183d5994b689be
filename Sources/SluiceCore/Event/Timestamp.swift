/// Event times as milliseconds since the Unix epoch, parsed from the forms clients send.
public enum Timestamp {
    /// Earliest accepted time: 2000-01-01T00:00:00Z. Anything earlier is a client bug.
    public static let earliest: Int64 = 946_684_800_000
    /// Latest accepted time: 2100-01-01T00:00:00Z.
    public static let latest: Int64 = 4_102_444_800_000

    /// Parses epoch milliseconds (a JSON number) or an ISO 8601 string; nil on any other input.
    public static func milliseconds(from value: JSONValue) -> Int64? {
        switch value {
        case .int(let ms): return ms
        case .double(let ms) where ms.isFinite && abs(ms) < 1e15: return Int64(ms.rounded(.down))
        case .string(let text): return parseISO8601(text)
        default: return nil
        }
    }

    /// Parses `YYYY-MM-DD`, optionally followed by `THH:MM[:SS[.fff…]]` and `Z`, `±HH:MM` or `±HHMM`.
    /// A date-time without a zone is taken as UTC.
    public static func parseISO8601(_ text: String) -> Int64? {
        var scanner = DigitScanner(Array(text.utf8))
        guard let year = scanner.number(digits: 4), scanner.skip("-"),
            let month = scanner.number(digits: 2), scanner.skip("-"),
            let day = scanner.number(digits: 2),
            (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day)
        else { return nil }
        var millis = daysFromCivil(year: year, month: month, day: day) * 86_400_000
        if scanner.atEnd { return millis }
        guard scanner.skip("T") || scanner.skip("t") || scanner.skip(" "),
            let hour = scanner.number(digits: 2), scanner.skip(":"),
            let minute = scanner.number(digits: 2), hour < 24, minute < 60
        else { return nil }
        millis += Int64(hour) * 3_600_000 + Int64(minute) * 60_000
        if scanner.skip(":") {
            guard let second = scanner.number(digits: 2), second < 61 else { return nil }
            millis += Int64(min(second, 59)) * 1000
            if scanner.skip(".") || scanner.skip(",") {
                guard let fraction = scanner.fractionMilliseconds() else { return nil }
                millis += fraction
            }
        }
        if scanner.atEnd || scanner.skip("Z") || scanner.skip("z") {
            return scanner.atEnd ? millis : nil
        }
        let sign: Int64
        if scanner.skip("+") { sign = 1 } else if scanner.skip("-") { sign = -1 } else { return nil }
        guard let offsetHours = scanner.number(digits: 2), offsetHours < 24 else { return nil }
        _ = scanner.skip(":")
        guard let offsetMinutes = scanner.number(digits: 2), offsetMinutes < 60, scanner.atEnd else { return nil }
        return millis - sign * (Int64(offsetHours) * 3_600_000 + Int64(offsetMinutes) * 60_000)
    }

    /// Formats epoch milliseconds as `YYYY-MM-DDTHH:MM:SS.mmmZ`.
    public static func iso8601(milliseconds: Int64) -> String {
        let days = milliseconds.floorDivided(by: 86_400_000)
        let msOfDay = milliseconds - days * 86_400_000
        let (year, month, day) = civilFromDays(days)
        func pad(_ value: Int64, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(Int64(year), 4))-\(pad(Int64(month), 2))-\(pad(Int64(day), 2))T"
            + "\(pad(msOfDay / 3_600_000, 2)):\(pad(msOfDay / 60_000 % 60, 2)):\(pad(msOfDay / 1000 % 60, 2))."
            + "\(pad(msOfDay % 1000, 3))Z"
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Howard Hinnant's days_from_civil.
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = y.floorDivided(by: 400)
        let yoe = y - era * 400
        let m = Int64(month)
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// Howard Hinnant's civil_from_days.
    static func civilFromDays(_ days: Int64) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = z.floorDivided(by: 146_097)
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (Int(yoe + era * 400 + (month <= 2 ? 1 : 0)), Int(month), Int(day))
    }
}

extension Int64 {
    fileprivate func floorDivided(by divisor: Int64) -> Int64 {
        let q = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? q - 1 : q
    }
}

/// Reads fixed-width ASCII digits and separators from a timestamp.
private struct DigitScanner {
    let bytes: [UInt8]
    var index = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { index == bytes.count }

    mutating func skip(_ character: Unicode.Scalar) -> Bool {
        guard index < bytes.count, bytes[index] == UInt8(character.value) else { return false }
        index += 1
        return true
    }

    mutating func number(digits: Int) -> Int? {
        guard index + digits <= bytes.count else { return nil }
        var value = 0
        for byte in bytes[index..<index + digits] {
            guard byte >= 0x30 && byte <= 0x39 else { return nil }
            value = value * 10 + Int(byte - 0x30)
        }
        index += digits
        return value
    }

    /// One or more fraction digits, truncated to milliseconds.
    mutating func fractionMilliseconds() -> Int64? {
        var value: Int64 = 0
        var count = 0
        while index < bytes.count, bytes[index] >= 0x30 && bytes[index] <= 0x39 {
            if count < 3 { value = value * 10 + Int64(bytes[index] - 0x30) }
            count += 1
            index += 1
        }
        guard count > 0 else { return nil }
        for _ in count..<max(count, 3) { value *= 10 }
        return value
    }
}
