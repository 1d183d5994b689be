import Hummingbird
import SluiceCore
import Testing

/// A MongoDB or Redis that does not answer is a 503 with ingest's error body and
/// `Retry-After`, never a crash or a hang.
@Suite struct UnavailableTests {
    @Test func aStoreOrRedisThatDoesNotAnswerIs503() async throws {
        // Port 1 refuses connections; the short server selection keeps the test quick.
        let unreachable = ["SLUICE_MONGO_URL": "mongodb://127.0.0.1:1/sluice?serverSelectionTimeoutMS=300", "SLUICE_REDIS_URL": "redis://127.0.0.1:1"]
        try await DashboardTestBed.run(settings: unreachable) { bed in
            for uri in ["/api/analytics/analytics/visitor/v1", "/api/analytics/analytics/session/s1", "/api/analytics/analytics/realtime"] {
                let response = try await bed.send(.get, uri, bearer: DashboardTestBed.token)
                #expect(response.status == .serviceUnavailable, "\(uri)")
                #expect(response.headers[.retryAfter] == "1", "\(uri)")
                let body = try DashboardTestBed.object(response)
                #expect(body["error"] == .string("unavailable"), "\(uri)")
                #expect(body["details"]?.items?.first?.objectValue?["field"] == .string("(server)"), "\(uri)")
            }
            #expect(try await bed.send(.get, "/api/analytics/analytics/current", cookie: "sluice_visitor=v1").status == .serviceUnavailable)
        }
    }
}
