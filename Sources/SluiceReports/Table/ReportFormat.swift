/// How figures read on a page: exact counts with thousands separators, rates as
/// percentages with one decimal, durations in ms, s, min or h. Pure.
public enum ReportFormat {
    /// Shown for a figure that does not exist (a rate of nothing, a percentile of no times).
    public static let missing = "—"

    /// `1234567` → `1,234,567`.
    public static func count(_ value: Int64) -> String {
        let digits = String(value.magnitude)
        var out = value < 0 ? "-" : ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return out
    }

    /// A count, marked `≈` when it is an estimate.
    public static func count(_ value: Int64, estimated: Bool) -> String { (estimated ? "≈ " : "") + count(value) }

    /// A fraction as a percentage with one decimal: `0.1234` → `12.3%`.
    public static func percent(_ fraction: Double?) -> String {
        guard let fraction, fraction.isFinite else { return missing }
        return oneDecimal(fraction * 100) + "%"
    }

    /// A relative change with its sign: `0.125` → `+12.5%`, `-0.5` → `-50.0%`; nil (no previous value) → `—`.
    public static func change(_ fraction: Double?) -> String {
        guard let fraction, fraction.isFinite else { return missing }
        return (fraction >= 0 ? "+" : "") + percent(fraction)
    }

    /// A duration: `850 ms`, `2.5 s`, `3 min 05 s`, `2 h 07 min`.
    public static func duration(milliseconds: Double?) -> String {
        guard let milliseconds, milliseconds.isFinite else { return missing }
        if milliseconds < 1000 { return "\(Int(milliseconds.rounded())) ms" }
        if milliseconds < 60_000 { return oneDecimal(milliseconds / 1000) + " s" }
        let seconds = Int((milliseconds / 1000).rounded())
        if seconds < 3600 { return "\(seconds / 60) min \(twoDigits(seconds % 60)) s" }
        return "\(seconds / 3600) h \(twoDigits(seconds / 60 % 60)) min"
    }

    /// `value` rounded half away from zero to one decimal, always showing it: `12.34` → `12.3`.
    public static func oneDecimal(_ value: Double) -> String {
        let tenths = Int64((value * 10).rounded())
        let sign = tenths < 0 ? "-" : ""
        return "\(sign)\(tenths.magnitude / 10).\(tenths.magnitude % 10)"
    }

    private static func twoDigits(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
