import Prometheus

/// The worker's Prometheus metrics, created once and served at `/metrics` on its own port.
public final class WorkerMetrics: Sendable {
    /// The registry `/metrics` renders.
    public let registry = PrometheusCollectorRegistry()
    let consumed: Counter
    let stored: Counter
    let duplicates: Counter
    let deadLettered: Counter
    let claimed: Counter
    let retries: Counter
    let trimmed: Counter
    let batchDuration: DurationHistogram
    let lag: Gauge
    let pending: Gauge
    let drainRate: Gauge

    /// Registers every metric.
    public init() {
        consumed = registry.makeCounter(name: "sluice_worker_events_consumed_total", help: "Entries read from the streams (new, re-read or claimed).")
        stored = registry.makeCounter(name: "sluice_worker_events_stored_total", help: "Events newly written to MongoDB.")
        duplicates = registry.makeCounter(name: "sluice_worker_events_duplicate_total", help: "Events MongoDB already had (redeliveries).")
        deadLettered = registry.makeCounter(name: "sluice_worker_events_dead_lettered_total", help: "Entries moved to events:dead.")
        claimed = registry.makeCounter(name: "sluice_worker_events_claimed_total", help: "Entries taken over from idle consumers (XAUTOCLAIM).")
        retries = registry.makeCounter(name: "sluice_worker_batch_retries_total", help: "Batch attempts that failed transiently and were retried.")
        trimmed = registry.makeCounter(name: "sluice_worker_entries_trimmed_total", help: "Acknowledged entries removed from the streams.")
        batchDuration = registry.makeDurationHistogram(
            name: "sluice_worker_batch_duration_seconds",
            buckets: [.milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5)],
            help: "Time to write and acknowledge one batch.")
        lag = registry.makeGauge(name: "sluice_worker_stream_lag", help: "Entries not yet delivered to any worker, all partitions.")
        pending = registry.makeGauge(name: "sluice_worker_stream_pending", help: "Entries delivered but not yet acknowledged, all partitions.")
        drainRate = registry.makeGauge(name: "sluice_worker_drain_rate", help: "Entries this worker finished per second (moving average).")
    }
}
