import Prometheus

/// The ingest's Prometheus metrics, created once and served at `/metrics`.
public final class IngestMetrics: Sendable {
    /// The registry `/metrics` renders.
    public let registry: PrometheusCollectorRegistry
    /// Events appended to a stream and answered 2xx.
    let accepted: Counter
    /// Requests answered 503 because Redis could not take the events or the backlog is over its limit.
    let unavailable: Counter
    /// Requests answered 503 because fewer than `SLUICE_REPLICA_ACKS` replicas confirmed their entries in time.
    let replicaAckFailures: Counter
    /// Request latency of the tracking routes.
    let latency: DurationHistogram

    /// Registers the metrics in a fresh registry (names `sluice_ingest_<name>_<unit>`).
    public init() {
        let registry = PrometheusCollectorRegistry()
        self.registry = registry
        accepted = registry.makeCounter(descriptor: Self.name("events_accepted", "total", "Events appended to a Redis stream and answered 202."))
        unavailable = registry.makeCounter(
            descriptor: Self.name("unavailable", "total", "Requests answered 503 (Redis unavailable or backlog over its limit)."))
        replicaAckFailures = registry.makeCounter(
            descriptor: Self.name(
                "replica_ack_failures", "total", "Requests answered 503 because fewer than SLUICE_REPLICA_ACKS replicas confirmed their entries in time."))
        latency = registry.makeDurationHistogram(
            descriptor: Self.name("request_duration", "seconds", "Time from request to answer on the tracking routes."),
            buckets: [
                .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
                .milliseconds(50), .milliseconds(100), .milliseconds(250), .seconds(1),
            ])
    }

    private static func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "sluice", subsystem: "ingest", metricName: metric, unitName: unit, helpText: help)
    }

    /// Counts a refused request by its reason (`invalid_event`, `invalid_encoding`, `too_large`, `unsupported_media_type`,
    /// `unsupported_encoding`, `unauthorized`, `forbidden_origin`, `server_key_from_browser`, `rate_limited`).
    func rejected(reason: String) {
        registry.makeCounter(descriptor: Self.name("requests_rejected", "total", "Requests refused with a 4xx, by reason."), labels: [("reason", reason)])
            .increment()
    }
}
