import SluiceRollups
import Testing

@testable import SluiceReports

/// Chat, tool, lab, API and user-event reports read from real `rollups` documents.
@Suite struct ActivityReportsTests {
    let bound = ReportsTestBed.bound

    @Test func chatsPerAgentAndModelWithSatisfactionAndResponseTimes() throws {
        try ReportsTestBed.withFresh { bed in
            try ThreeDays.seed(bed)
            let report = try bed.source.chats(site: ThreeDays.site, range: try ThreeDays.range())
            #expect((report.chats, report.satisfied, report.unsatisfied) == (18, 5, 3))
            #expect(report.satisfactionRate == 0.625)
            // support: 13 chats at 100 ms and 2 at 2 s, so the 15th of 15 (p95) is a slow one.
            #expect(
                report.agents == [
                    .init(key: "support", chats: 15, satisfied: 5, unsatisfied: 1, p50: bound(100), p95: bound(2000)),
                    .init(key: "sales", chats: 3, satisfied: 0, unsatisfied: 2, p50: bound(500), p95: bound(500)),
                ])
            #expect(report.agents.map(\.feedback) == [6, 2])
            #expect(report.agents.map(\.satisfactionRate) == [5.0 / 6.0, 0])
            #expect(report.models.map(\.key) == ["gpt", "claude"])
            #expect(report.models.map(\.chats) == [15, 3])
            #expect(report.languages.rows == [.init(key: "en", count: 12, share: 12.0 / 18.0), .init(key: "fr", count: 6, share: 6.0 / 18.0)])
            #expect(report.tables.map(\.title) == ["Agents", "Models", "Languages"])
            #expect(
                report.tables[0].rows[1].map(\.display) == [
                    "sales", "3", "2", "0", "0.0%", ReportFormat.duration(milliseconds: bound(500)), ReportFormat.duration(milliseconds: bound(500)),
                ])
        }
    }

    @Test func toolsWithSuccessRatesTimesAndErrors() throws {
        try ReportsTestBed.withFresh { bed in
            try ThreeDays.seed(bed)
            let report = try bed.source.tools(site: ThreeDays.site, range: try ThreeDays.range())
            #expect((report.runs, report.failures, report.successRate) == (15, 3, 0.8))
            #expect(report.tools.map(\.key) == ["search", "fetch"])
            #expect(report.tools.map(\.runs) == [10, 5])
            #expect(report.tools.map(\.failures) == [2, 1])
            #expect(report.tools.map(\.successRate) == [0.8, 0.8])
            #expect(report.tools.map(\.p50) == [bound(50), bound(800)])
            // web: 10 runs at 50 ms and 5 at 800 ms.
            #expect(report.categories.count == 1)
            #expect(
                (report.categories[0].key, report.categories[0].runs, report.categories[0].p50, report.categories[0].p95) == ("web", 15, bound(50), bound(800)))
            #expect(report.errors == [.init(tool: "search", message: "timeout", count: 2), .init(tool: "fetch", message: "404", count: 1)])
            #expect(report.tables[2].csv == "Tool,Error message,Failures\r\nsearch,timeout,2\r\nfetch,404,1\r\n")
        }
    }

    @Test func labRunsPerExperimentAndModel() throws {
        try ReportsTestBed.withFresh { bed in
            try ThreeDays.seed(bed)
            let report = try bed.source.lab(site: ThreeDays.site, range: try ThreeDays.range())
            #expect((report.runs, report.failures, report.successRate) == (4, 1, 0.75))
            #expect(report.experiments.map(\.key) == ["summarize"])
            #expect(report.experiments.map(\.p95) == [bound(3000)])
            #expect(report.models.map(\.key) == ["gpt"])
            #expect(report.models.map(\.successRate) == [0.75])
        }
    }

    @Test func apiEndpointsSlowestFirstWithErrorRates() throws {
        try ReportsTestBed.withFresh { bed in
            try ThreeDays.seed(bed)
            let report = try bed.source.api(site: ThreeDays.site, range: try ThreeDays.range())
            #expect((report.calls, report.clientErrors, report.serverErrors) == (110, 5, 1))
            #expect(report.errorRate == 6.0 / 110.0)
            #expect(
                report.endpoints == [
                    .init(
                        endpoint: "/v1/search", method: "POST", calls: 10, clientErrors: 0, serverErrors: 0, p50: bound(800), p95: bound(800), p99: bound(800)),
                    .init(endpoint: "/v1/orders", method: "GET", calls: 100, clientErrors: 5, serverErrors: 1, p50: bound(50), p95: bound(50), p99: bound(50)),
                ])
            #expect(report.endpoints.map(\.clientErrorRate) == [0, 0.05])
            #expect(report.endpoints.map(\.serverErrorRate) == [0, 0.01])
            #expect(report.endpoints.map(\.errorRate) == [0, 0.06])
            #expect(report.tables[0].rows[1].map(\.display).prefix(8) == ["/v1/orders", "GET", "100", "5", "5.0%", "1", "1.0%", "6.0%"])
            // Bots' calls count only when asked for.
            let all = try bed.source.api(site: ThreeDays.site, range: try ThreeDays.range(), audience: .all)
            #expect(all.endpoints.map(\.calls) == [10, 120])
        }
    }

    @Test func userEventsByTypeAndName() throws {
        try ReportsTestBed.withFresh { bed in
            try ThreeDays.seed(bed)
            let report = try bed.source.events(site: ThreeDays.site, range: try ThreeDays.range(), limit: 5)
            #expect(report.count == 15)
            #expect(
                report.events == [
                    .init(type: "auth", name: "signup", count: 12, failures: 2), .init(type: "payment", name: "succeeded", count: 3, failures: 0),
                ])
            #expect(report.events.map(\.successRate) == [10.0 / 12.0, 1])
            #expect(report.tables[0].csv == "Type,Name,Events,Failures,Success rate\r\nauth,signup,12,2,0.8333\r\npayment,succeeded,3,0,1\r\n")
        }
    }
}
