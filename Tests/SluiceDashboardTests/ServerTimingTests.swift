import Hummingbird
import HummingbirdTesting
import Testing

@testable import SluiceDashboard

/// Every answer says how long the dashboard took in `Server-Timing` (what
/// `make bench-dashboard` reads): pages, JSON routes, refusals and errors alike.
@Suite struct ServerTimingTests {
    @Test func durationsAreMillisecondsWithThreeDecimals() {
        #expect(ServerTiming<BasicRequestContext>.value(.microseconds(12_345)) == "app;dur=12.345")
        #expect(ServerTiming<BasicRequestContext>.value(.nanoseconds(999)) == "app;dur=0.000")
        #expect(ServerTiming<BasicRequestContext>.value(.seconds(2) + .microseconds(7)) == "app;dur=2000.007")
    }

    @Test func everyAnswerCarriesTheServerTime() async throws {
        try await DashboardTestBed.run { bed in
            let answers: [(String, String?, HTTPResponse.Status)] = [
                ("/", DashboardTestBed.token, .ok), ("/api/dashboard/overview?range=30d", DashboardTestBed.token, .ok),
                ("/api/dashboard/overview?range=fortnight", DashboardTestBed.token, .badRequest),
                ("/api/dashboard/tools", nil, .unauthorized), ("/no-such-page", DashboardTestBed.token, .notFound),
            ]
            for (uri, bearer, status) in answers {
                let response = try await bed.send(.get, uri, bearer: bearer)
                #expect(response.status == status, "\(uri)")
                let timing = try #require(response.headers[ServerTiming<BasicRequestContext>.header], "no Server-Timing on \(uri)")
                let milliseconds = try #require(Double(timing.dropFirst("app;dur=".count)), "\(timing) on \(uri)")
                #expect(timing.hasPrefix("app;dur=") && milliseconds >= 0 && milliseconds < 60_000, "\(timing) on \(uri)")
            }
        }
    }
}
