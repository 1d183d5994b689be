/// A headline figure now and in the previous period of equal length.
public struct ReportFigure: Sendable, Equatable {
    /// This period's value; nil when it does not exist (a bounce rate without sessions).
    public let current: Double?
    public let previous: Double?

    /// The figure `current` now and `previous` in the period before.
    public init(current: Double?, previous: Double?) {
        self.current = current
        self.previous = previous
    }

    /// The relative change, (current − previous) / previous; nil without both values or when previous is 0.
    public var change: Double? {
        guard let current, let previous, previous != 0 else { return nil }
        return (current - previous) / previous
    }

    /// current − previous (for rates: the change in percentage points, as a fraction); nil without both.
    public var difference: Double? {
        guard let current, let previous else { return nil }
        return current - previous
    }
}
