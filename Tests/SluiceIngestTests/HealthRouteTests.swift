import HTTPTypes
import HummingbirdTesting
import SluiceCore
import Testing

/// Liveness, readiness and metrics in-process: ready only while Redis answers,
/// and events refused with 503 (never lost with a 202) while it does not.
@Suite struct HealthRouteTests {
    @Test func healthReadinessAndMetricsAnswerWhileRedisIsUp() async throws {
        let bed = try IngestTestBed.fresh()
        let (health, ready, metrics) = try await bed.test { client in
            #expect(try await client.post("track/event", #"{"eventType":"a","eventName":"b"}"#).status == .accepted)
            return (
                try await client.execute(uri: "/healthz", method: .get), try await client.execute(uri: "/readyz", method: .get),
                try await client.execute(uri: "/metrics", method: .get)
            )
        }
        #expect(health.status == .ok && health.json?["status"]?.stringValue == "ok")
        #expect(ready.status == .ok && ready.json?["status"]?.stringValue == "ready")
        let exposition = String(buffer: metrics.body)
        #expect(metrics.status == .ok && exposition.contains("sluice_ingest_events_accepted_total 1"), "\(exposition)")
    }

    @Test func withRedisUnreachableIngestIsLiveNotReadyAndRefusesEventsWith503() async throws {
        // Port 1 on the loopback: nothing listens there.
        let bed = try IngestTestBed.fresh(redisURL: "redis://127.0.0.1:1/0")
        let (health, ready, refused) = try await bed.test { client in
            (
                try await client.execute(uri: "/healthz", method: .get), try await client.execute(uri: "/readyz", method: .get),
                try await client.post("track/event", #"{"eventType":"a","eventName":"b"}"#)
            )
        }
        #expect(health.status == .ok, "liveness does not depend on Redis")
        #expect(ready.status == .serviceUnavailable && ready.json?["status"]?.stringValue == "unavailable")
        #expect(refused.status == .serviceUnavailable && refused.json?["error"]?.stringValue == "unavailable")
        #expect(refused.problems.map(\.field) == ["(server)"] && refused.headers[.retryAfter].flatMap(Int.init).map { $0 >= 1 } == true)
    }
}
