import Foundation
import Hummingbird
import HummingbirdTesting
import SluiceCore
import Testing

@testable import SluiceDashboard

/// The report pages and their JSON and CSV routes, over roll-ups written to real
/// SecantusDB with visitors counted by real Redis (`RollupSeed`).
@Suite struct ReportPagesTests {
    @Test func overviewShowsTheDaysFiguresAndItsJSONReturnsThem() async throws {
        try await DashboardTestBed.run { bed in
            try RollupSeed.write(bed)
            let page = try await bed.send(.get, "/?\(RollupSeed.day)", bearer: DashboardTestBed.token)
            #expect(page.status == .ok)
            let html = String(buffer: page.body)
            #expect(Self.figure(html, "visitors") == "3", "one day's own visitors: exact")
            #expect(Self.figure(html, "pageViews") == "1,234")
            #expect(html.contains("+23.4% vs previous period"), "1,234 page views against 1,000 the day before")
            #expect(Self.figure(html, "bounceRate") == "25.0%")
            #expect(Self.figure(html, "averageDuration") == "1 min 00 s")
            #expect(html.contains(#"<td>/pricing</td><td class="n">700</td>"#), "the top page first")
            #expect(html.contains("<svg class=\"chart\""), "the series chart, inline")
            for item in ["/realtime", "/chats", "/tools", "/lab", "/journey", "/funnels", "/performance"] { #expect(html.contains(#"href="\#(item)""#)) }

            let (status, json) = try await bed.json("/api/dashboard/overview?\(RollupSeed.day)")
            #expect(status == .ok)
            let figures = try #require(json["figures"]?.objectValue)
            #expect(figures["visitors"]?.objectValue?["value"] == .int(3))
            #expect(figures["visitors"]?.objectValue?["estimate"] == .bool(false))
            #expect(figures["pageViews"]?.objectValue?["value"] == .int(1234))
            #expect(figures["pageViews"]?.objectValue?["previous"] == .int(1000))
            #expect(figures["bounceRate"]?.objectValue?["value"] == .double(0.25))
            #expect(json["range"]?.objectValue?["from"] == .string("2026-11-28"))
            let pages = try #require(json["tables"]?.objectValue?["pages"]?.objectValue?["rows"]?.items)
            #expect(pages.first == .array([.string("/pricing"), .int(700), .double(700.0 / 1234.0)]))
        }
    }

    @Test func aTableDownloadsAsCSV() async throws {
        try await DashboardTestBed.run { bed in
            try RollupSeed.write(bed)
            let response = try await bed.send(.get, "/api/dashboard/overview.csv?\(RollupSeed.day)&table=pages", bearer: DashboardTestBed.token)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/csv; charset=utf-8")
            #expect(response.headers[.contentDisposition] == #"attachment; filename="overview-pages.csv""#)
            #expect(String(buffer: response.body) == "Pages,Page views,Share\r\n/pricing,700,0.5673\r\n/,534,0.4327\r\n")
        }
    }

    @Test func activityPagesShowTheirRates() async throws {
        try await DashboardTestBed.run { bed in
            try RollupSeed.write(bed)
            // Page, a figure, its value as shown, and as the JSON route gives it.
            let expectations: [(page: String, figure: String, shown: String, value: JSONValue)] = [
                ("chats", "satisfactionRate", "80.0%", .double(0.8)),
                ("chats", "conversations", "10", .int(10)),
                ("tools", "successRate", "70.0%", .double(0.7)),
                ("lab", "successRate", "75.0%", .double(0.75)),
                ("performance", "errorRate", "7.5%", .double(0.075)),
                ("funnels", "signupRate", "33.3%", .double(1.0 / 3.0)),
                ("funnels", "signups", "1", .int(1)),
            ]
            for expected in expectations {
                let page = try await bed.send(.get, "/\(expected.page)?\(RollupSeed.day)", bearer: DashboardTestBed.token)
                #expect(page.status == .ok, "\(expected.page)")
                #expect(Self.figure(String(buffer: page.body), expected.figure) == expected.shown, "\(expected.page) \(expected.figure)")
                let (status, json) = try await bed.json("/api/dashboard/\(expected.page)?\(RollupSeed.day)")
                #expect(status == .ok)
                #expect(json["figures"]?.objectValue?[expected.figure]?.objectValue?["value"] == expected.value, "\(expected.page) \(expected.figure)")
            }
            let tools = String(buffer: try await bed.send(.get, "/tools?\(RollupSeed.day)", bearer: DashboardTestBed.token).body)
            #expect(tools.contains("<td>timeout</td>"), "the top error message")
            let performance = String(buffer: try await bed.send(.get, "/performance?\(RollupSeed.day)", bearer: DashboardTestBed.token).body)
            #expect(performance.contains("<td>/v1/orders</td><td>GET</td><td class=\"n\">200</td>"))
        }
    }

    @Test func aBadParameterIsA400NamingIt() async throws {
        try await DashboardTestBed.run { bed in
            let page = try await bed.send(.get, "/chats?range=fortnight", bearer: DashboardTestBed.token)
            #expect(page.status == .badRequest)
            let html = String(buffer: page.body)
            #expect(html.contains(#"<p class="error" role="alert">range: unknown range &quot;fortnight&quot;"#))
            #expect(html.contains(#"<form class="controls""#), "the controls stay, to correct the range")
            for (uri, field) in [
                ("/api/dashboard/overview?range=fortnight", "range"), ("/api/dashboard/tools?range=custom&from=2026-11-30&to=2026-11-01", "from"),
                ("/api/dashboard/lab?tz=Mars/Olympus", "tz"), ("/api/dashboard/performance?audience=robots", "audience"),
                ("/api/dashboard/overview.csv?\(RollupSeed.day)", "table"), ("/api/dashboard/overview.csv?\(RollupSeed.day)&table=nope", "table"),
            ] {
                let (status, json) = try await bed.json(uri)
                #expect(status == .badRequest, "\(uri)")
                #expect(json["error"] == .string("invalid_query"))
                #expect(json["details"]?.items?.first?.objectValue?["field"] == .string(field), "\(uri)")
            }
        }
    }

    @Test func anonymousCallersAreRefusedWhenATokenIsSet() async throws {
        try await DashboardTestBed.run { bed in
            for page in ["/", "/chats", "/tools", "/lab", "/performance", "/funnels"] {
                let response = try await bed.send(.get, page)
                #expect(response.status == .seeOther, "\(page)")
                #expect(response.headers[.location] == "/login")
            }
            for name in ["overview", "chats", "tools", "lab", "performance", "funnels"] {
                #expect(try await bed.send(.get, "/api/dashboard/\(name)").status == .unauthorized, "\(name)")
                #expect(try await bed.send(.get, "/api/dashboard/\(name).csv?table=x").status == .unauthorized, "\(name).csv")
            }
        }
    }

    @Test func everyPagesTablesAreTheOnesTheOpenAPIDocumentNames() async throws {
        let documentPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../docs/dashboard.openapi.json").path
        let contents = try #require(FileManager.default.contents(atPath: documentPath), "docs/dashboard.openapi.json beside the tests")
        let document = try #require(try JSONParser.parse(Array(contents)).objectValue)
        try await DashboardTestBed.run { bed in
            for name in ["overview", "chats", "tools", "lab", "performance", "funnels"] {
                let operation = document["paths"]?.objectValue?["/api/dashboard/\(name).csv"]?.objectValue?["get"]?.objectValue
                let documented = operation?["parameters"]?.items?.first?.objectValue?["schema"]?.objectValue?["enum"]?.items?.compactMap(\.stringValue)
                let tables = try await bed.json("/api/dashboard/\(name)").body["tables"]?.objectValue?.members.map(\.key)
                #expect(tables == documented, "\(name)")
            }
        }
    }

    /// The shown value of the headline card `key` in `html`.
    static func figure(_ html: String, _ key: String) -> String? {
        guard let card = html.range(of: #"data-figure="\#(key)""#), let start = html.range(of: #"class="value">"#, range: card.upperBound..<html.endIndex),
            let end = html.range(of: "</div>", range: start.upperBound..<html.endIndex)
        else { return nil }
        return String(html[start.upperBound..<end.lowerBound])
    }
}
