import Foundation
import Hummingbird
import HummingbirdTesting
import SluiceCore
import SluiceRollups
import Testing

@testable import SluiceDashboard

/// The funnels page: each configured funnel's steps as a cohort from the roll-ups'
/// funnel rows, beside the seed's signups / visitors, as HTML, JSON and CSV.
@Suite struct FunnelsPageTests {
    static let settings = ["SLUICE_FUNNELS": "checkout: /pricing > auth/signup > payment/succeeded; onboarding: /welcome > /setup"]

    /// `RollupSeed`'s day (three visitors, one signup) with funnel rows: checkout 10 → 4 → 1, onboarding 5 → 5.
    static func write(_ bed: DashboardTestBed) throws {
        let row = { (funnel: String, step: Int) in funnel + String(RollupDelta.valueSeparator) + String(step) }
        try bed.writeRollup(.day, start: RollupSeed.utc("2026-11-28"), visitors: ["v1", "v2", "v3"]) { d in
            d.add(.human, "userEvent", "auth\u{1F}signup", by: 1)
            for (step, count) in [(1, 10), (2, 4), (3, 1)] { d.add(.human, "funnel", row("checkout", step), by: Int64(count)) }
            for step in 1...2 { d.add(.human, "funnel", row("onboarding", step), by: 5) }
        }
    }

    @Test func theChosenFunnelShowsEachStepAndTheSeedsRateStays() async throws {
        try await DashboardTestBed.run(settings: Self.settings) { bed in
            try Self.write(bed)
            let page = try await bed.send(.get, "/funnels?\(RollupSeed.day)", bearer: DashboardTestBed.token)
            #expect(page.status == .ok)
            let html = String(buffer: page.body)
            #expect(
                html.contains(
                    #"<select name="funnel"><option value="checkout" selected>checkout</option><option value="onboarding">onboarding</option></select>"#))
            #expect(ReportPagesTests.figure(html, "funnelEntered") == "10" && ReportPagesTests.figure(html, "funnelCompleted") == "1")
            #expect(ReportPagesTests.figure(html, "funnelConversion") == "10.0%")
            #expect(ReportPagesTests.figure(html, "signupRate") == "33.3%", "the seed's figure as it is")
            // Step 2: 4 of 10 (40.0% of both the previous and the first step), 6 dropped off.
            #expect(
                html.contains(
                    #"<td class="n">2</td><td>auth/signup</td><td class="n">4</td><td class="n">40.0%</td><td class="n">40.0%</td><td class="n">6</td>"#),
                "\(html)")
            #expect(html.contains(#"<td>payment/succeeded</td><td class="n">1</td><td class="n">25.0%</td><td class="n">10.0%</td><td class="n">3</td>"#))

            let (status, json) = try await bed.json("/api/dashboard/funnels?\(RollupSeed.day)&funnel=onboarding")
            #expect(status == .ok && json["funnel"] == .string("onboarding"))
            #expect(json["figures"]?.objectValue?["funnelConversion"]?.objectValue?["value"] == .double(1))
            let steps = try #require(json["tables"]?.objectValue?["funnel-steps"]?.objectValue?["rows"]?.items)
            #expect(
                steps == [
                    .array([.int(1), .string("/welcome"), .int(5), .null, .double(1), .int(0)]),
                    .array([.int(2), .string("/setup"), .int(5), .double(1), .double(1), .int(0)]),
                ])
            let funnels = try #require(json["tables"]?.objectValue?["funnels"]?.objectValue?["rows"]?.items)
            #expect(funnels.first == .array([.string("checkout"), .string("/pricing > auth/signup > payment/succeeded"), .int(10), .int(1), .double(0.1)]))

            let csv = try await bed.send(.get, "/api/dashboard/funnels.csv?\(RollupSeed.day)&table=funnel-steps", bearer: DashboardTestBed.token)
            #expect(
                String(buffer: csv.body) == """
                    Step,Reached,Visitors,From previous step,From first step,Drop-off\r
                    1,/pricing,10,,1,0\r
                    2,auth/signup,4,0.4,0.4,6\r
                    3,payment/succeeded,1,0.25,0.1,3\r

                    """)
            let bad = try await bed.json("/api/dashboard/funnels?\(RollupSeed.day)&funnel=nope")
            #expect(bad.status == .badRequest && bad.body["details"]?.items?.first?.objectValue?["field"] == .string("funnel"))
        }
    }

    @Test func withoutFunnelsThePageSaysHowToSetThem() async throws {
        try await DashboardTestBed.run { bed in
            try Self.write(bed)
            let html = String(buffer: try await bed.send(.get, "/funnels?\(RollupSeed.day)", bearer: DashboardTestBed.token).body)
            #expect(html.contains("No funnels are configured: set <code>SLUICE_FUNNELS</code>") && !html.contains(#"name="funnel""#))
            let (_, json) = try await bed.json("/api/dashboard/funnels?\(RollupSeed.day)")
            #expect(json["figures"]?.objectValue?["funnelEntered"]?.objectValue?["value"] == .null && json["funnel"] == nil)
            #expect(json["tables"]?.objectValue?["funnel-steps"]?.objectValue?["rows"]?.items == [])
        }
    }
}
