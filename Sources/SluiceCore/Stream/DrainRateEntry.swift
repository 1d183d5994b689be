/// One worker's published drain rate, a field of `StreamLayout.drainKey` (the worker's
/// consumer name) holding `<entries per second>:<epoch ms>`: written by the worker,
/// read by ingest for `Retry-After`.
public struct DrainRateEntry: Sendable, Equatable {
    /// Entries the worker finished per second.
    public let perSecond: Int64
    /// When it said so (epoch ms): an old entry is a stopped worker's.
    public let at: Int64

    public init(perSecond: Int64, at: Int64) {
        self.perSecond = perSecond
        self.at = at
    }

    /// Reads a field's value; nil for anything else.
    public init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let rate = Int64(parts[0]), let at = Int64(parts[1]) else { return nil }
        self.init(perSecond: rate, at: at)
    }

    /// The field's value.
    public var value: String { "\(perSecond):\(at)" }
}
