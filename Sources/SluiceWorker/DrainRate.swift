import SluiceCore

/// A moving average of entries finished per second, published so ingest can
/// compute an honest `Retry-After` when the backlog is over its mark.
struct DrainRate {
    /// The Redis hash where each worker publishes `<rate>:<epoch ms>` under its consumer name.
    static let key = StreamLayout.drainKey

    private(set) var perSecond: Double = 0
    private var finished = 0
    private var since = ContinuousClock.now

    /// Counts finished entries.
    mutating func add(_ count: Int) { finished += count }

    /// Folds the count since the last sample into the average (weight 0.5 per sample).
    mutating func sample() {
        let seconds = (ContinuousClock.now - since).inSeconds
        guard seconds > 0 else { return }
        let current = Double(finished) / seconds
        perSecond = perSecond == 0 ? current : (perSecond + current) / 2
        finished = 0
        since = .now
    }
}
