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
    let released: Counter
    let trimmed: Counter
    let batchDuration: DurationHistogram
    let lag: Gauge
    let pending: Gauge
    let drainRate: Gauge
    let deadLetters: Gauge
    let deadLettersMoved: Counter
    let storeReady: Gauge
    let flushDuration: DurationHistogram
    let derivedAge: DurationHistogram
    let rollupLateEvents: Counter

    /// Counts derived documents the flusher wrote: `operation` is `insert` or `update`,
    /// `collection` is sessions, visitors or rollups.
    func derivedWrites(_ collection: String, _ operation: String, _ count: Int) {
        guard count > 0 else { return }
        registry.makeCounter(
            descriptor: MetricNameDescriptor(
                namespace: "sluice", subsystem: "worker", metricName: "derived_writes", unitName: "total",
                helpText: "Derived documents written to MongoDB by the flusher, by collection and insert or update."),
            labels: [("collection", collection), ("operation", operation)]
        ).increment(by: Int64(count))
    }

    /// Registers every metric (names `sluice_worker_<name>_<unit>`).
    public init() {
        func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
            MetricNameDescriptor(namespace: "sluice", subsystem: "worker", metricName: metric, unitName: unit, helpText: help)
        }
        consumed = registry.makeCounter(descriptor: name("events_consumed", "total", "Entries read from the streams (new, re-read or claimed)."))
        stored = registry.makeCounter(descriptor: name("events_stored", "total", "Events newly written to MongoDB."))
        duplicates = registry.makeCounter(descriptor: name("events_duplicate", "total", "Events MongoDB already had (redeliveries)."))
        deadLettered = registry.makeCounter(descriptor: name("events_dead_lettered", "total", "Entries moved to events:dead."))
        claimed = registry.makeCounter(descriptor: name("events_claimed", "total", "Entries taken over from idle consumers (XAUTOCLAIM)."))
        retries = registry.makeCounter(descriptor: name("batch_retries", "total", "Batch attempts that failed transiently and were retried."))
        released = registry.makeCounter(
            descriptor: name(
                "batches_released", "total",
                "Batches MongoDB refused on every try (BatchRetryPolicy), left pending for redelivery and, past SLUICE_MAX_DELIVERIES, the dead letters."))
        trimmed = registry.makeCounter(descriptor: name("entries_trimmed", "total", "Acknowledged entries removed from the streams."))
        batchDuration = registry.makeDurationHistogram(
            descriptor: name("batch_duration", "seconds", "Time to write and acknowledge one batch."),
            buckets: [
                .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
                .seconds(1), .seconds(2.5), .seconds(5),
            ])
        // Cluster-wide values that every worker reads from Redis and exports alike: aggregate
        // them across workers with max(), never sum() (docs/operations.md, "Monitoring").
        lag = registry.makeGauge(
            descriptor: name("stream_lag", "", "Entries not yet delivered to any worker, all partitions; the same on every worker: use max(), not sum()."))
        pending = registry.makeGauge(
            descriptor: name(
                "stream_pending", "", "Entries delivered but not yet acknowledged, all partitions; the same on every worker: use max(), not sum()."))
        drainRate = registry.makeGauge(descriptor: name("drain_rate", "", "Entries this worker finished per second (moving average)."))
        deadLetters = registry.makeGauge(
            descriptor: name("dead_letters", "", "Entries in events:dead after the last maintenance pass; the same on every worker: use max(), not sum()."))
        deadLettersMoved = registry.makeCounter(
            descriptor: name(
                "dead_letters_moved", "total",
                "Dead letters moved from events:dead to MongoDB's deadletters (past SLUICE_DEAD_LETTER_LIMIT or SLUICE_DEAD_LETTER_MAX_AGE)."))
        flushDuration = registry.makeDurationHistogram(
            descriptor: name("flush_duration", "seconds", "Time of one flush of derived sessions, visitors and roll-ups to MongoDB."),
            buckets: [
                .milliseconds(10), .milliseconds(50), .milliseconds(100), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
                .seconds(30),
            ])
        derivedAge = registry.makeDurationHistogram(
            descriptor: name(
                "derived_age", "seconds",
                "How old a derived key's first unwritten change was when the flusher wrote it: the staleness of sessions, visitors and roll-ups (bound: SLUICE_FLUSH_INTERVAL)."
            ),
            buckets: [
                .seconds(1), .seconds(10), .seconds(30), .seconds(55), .seconds(60), .seconds(61), .seconds(65), .seconds(75), .seconds(90), .seconds(120),
                .seconds(300), .seconds(600),
            ])
        rollupLateEvents = registry.makeCounter(
            descriptor: name(
                "rollup_late_events", "total",
                "Events stored after their roll-up hour or day had closed (SLUICE_ROLLUP_WINDOW); `sluicectl rollups rebuild` counts them."))
        storeReady = registry.makeGauge(
            descriptor: name("store_ready", "", "1 while MongoDB answers this worker's pings in time (its /readyz answers 200), else 0."))
    }
}
