import SluiceRollups
import Testing

@testable import SluiceReports

/// The funnel report's figures from the roll-ups' funnel rows, summed over buckets.
@Suite struct FunnelReportTests {
    static let funnels = try! FunnelSettings(parsing: "checkout: /pricing > auth/signup > /paid; tour: /a > /b").funnels

    /// A bucket of `day` (its start, in days since 1970) holding `steps` (funnel, step, visitors).
    static func bucket(day: Int64, _ steps: [(String, Int, Int64)]) -> RollupSnapshot {
        var delta = RollupDelta()
        for (funnel, step, count) in steps { delta.add(.human, "funnel", funnel + "\u{1F}\(step)", by: count) }
        var counts = RollupCounts()
        counts.add(delta)
        return RollupSnapshot(bucket: RollupBucket(site: "", granularity: .day, start: day * 86_400_000), counts: counts, visitors: 0, visitorsHLL: nil)
    }

    @Test func stepsAddUpOverBucketsWithConversionsAndDropOff() throws {
        let range = try ReportRange.parse(range: "custom", from: "2026-11-27", to: "2026-11-28", timeZone: "UTC", now: 1_796_169_600_000)
        let days = [
            Self.bucket(day: 20_419, [("checkout", 1, 6), ("checkout", 2, 3)]),
            Self.bucket(day: 20_420, [("checkout", 1, 4), ("checkout", 2, 1), ("checkout", 3, 1)]),
        ]
        let read = RollupRead(range: range, totalBuckets: days, seriesBuckets: [])
        let report = FunnelReport(read, funnels: Self.funnels, audience: .humans)
        let checkout = try #require(report.funnel(named: "checkout"))
        #expect(checkout.steps.map(\.visitors) == [10, 4, 1])
        #expect(checkout.steps.map(\.fromPrevious) == [nil, 0.4, 0.25] && checkout.steps.map(\.fromFirst) == [1, 0.4, 0.1])
        #expect(checkout.steps.map(\.dropOff) == [0, 6, 3] && checkout.conversion == 0.1)
        // A funnel nobody entered has steps of 0 and no rates.
        let tour = try #require(report.funnel(named: "tour"))
        #expect(tour.entered == 0 && tour.conversion == nil && tour.steps[1].fromPrevious == nil)
        #expect(FunnelReport.stepTable(checkout).rows[1] == [.count(2), .text("auth/signup"), .count(4), .rate(0.4), .rate(0.4), .count(6)])
        #expect(report.summaryTable.rows.map { $0[0] } == [.text("checkout"), .text("tour")])
        // Bots keep no progress.
        #expect(FunnelReport(read, funnels: Self.funnels, audience: .bots).funnel(named: "checkout")?.entered == 0)
    }
}
