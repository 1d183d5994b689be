import Prometheus

/// The ingest's Prometheus metrics, created once and served at `/metrics`.
public final class IngestMetrics: Sendable {
    /// The registry `/metrics` renders.
    public let registry: PrometheusCollectorRegistry
    /// Events appended to a stream and answered 2xx.
    let accepted: Counter
    /// Requests answered 503 because Redis could not take the events.
    let unavailable: Counter
    /// Request latency of the tracking routes.
    let latency: DurationHistogram

    /// Registers the metrics in a fresh registry.
    public init() {
        let registry = PrometheusCollectorRegistry()
        self.registry = registry
        accepted = registry.makeCounter(name: "sluice_ingest_events_accepted_total", help: "Events appended to a Redis stream and answered 202.")
        unavailable = registry.makeCounter(name: "sluice_ingest_unavailable_total", help: "Requests answered 503 because Redis could not take them.")
        latency = registry.makeDurationHistogram(
            name: "sluice_ingest_request_duration_seconds",
            buckets: [.microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .seconds(1)],
            help: "Time from request to answer on the tracking routes.")
    }

    /// Counts a rejected request by its reason (`invalid_event`, `too_large`, `unsupported_media_type`).
    func rejected(reason: String) {
        registry.makeCounter(name: "sluice_ingest_requests_rejected_total", labels: [("reason", reason)], help: "Requests refused with a 4xx, by reason.").increment()
    }
}
