/// One cell of a report table: what it holds decides how it is shown and written to CSV.
public enum ReportCell: Sendable, Equatable {
    case text(String)
    case count(Int64)
    /// A fraction (0…1), nil when it does not exist (a rate of nothing).
    case rate(Double?)
    /// A duration in ms, nil when there were no times.
    case milliseconds(Double?)

    /// As a page shows it (`ReportFormat`).
    public var display: String {
        switch self {
        case .text(let text): text
        case .count(let value): ReportFormat.count(value)
        case .rate(let fraction): ReportFormat.percent(fraction)
        case .milliseconds(let value): ReportFormat.duration(milliseconds: value)
        }
    }

    /// As CSV carries it, for a spreadsheet to compute with: plain integers, rates as
    /// fractions with up to four decimals, milliseconds as a number, nothing for nil.
    public var csvValue: String {
        switch self {
        case .text(let text): text
        case .count(let value): String(value)
        case .rate(let fraction): fraction.map { Self.decimal($0, places: 4) } ?? ""
        case .milliseconds(let value): value.map { Self.decimal($0, places: 1) } ?? ""
        }
    }

    /// `value` with at most `places` decimals and no trailing zeros.
    static func decimal(_ value: Double, places: Int) -> String {
        guard value.isFinite else { return "" }
        var scale: Int64 = 1
        for _ in 0..<places { scale *= 10 }
        let scaled = Int64((value * Double(scale)).rounded())
        let whole = scaled.magnitude / UInt64(scale)
        let fraction = scaled.magnitude % UInt64(scale)
        var text = (scaled < 0 ? "-" : "") + String(whole)
        guard fraction != 0 else { return text }
        var digits = String(fraction)
        digits = String(repeating: "0", count: places - digits.count) + digits
        while digits.hasSuffix("0") { digits.removeLast() }
        text += "." + digits
        return text
    }
}
