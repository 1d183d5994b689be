import Foundation
import SluiceRollups
import Testing

@testable import SluiceReports

/// A 30-day range over full day buckets (100 values in every traffic breakdown, dense HyperLogLogs):
/// 30 documents read and the figures they add up to (the time it takes is bench/'s to measure).
@Suite struct ThirtyFullDaysTests {
    @Test func thirtyFullDaysReadAsThirtyDocuments() throws {
        try ReportsTestBed.withFresh { bed in
            let first = CivilDate("2026-11-03")!
            for offset in 0..<30 {
                let day = first.adding(days: offset)
                try bed.write(.day, ReportsTestBed.utc(day.description), visitors: ReportsTestBed.ids("d\(offset)-", 0..<2000)) { d in
                    d.add(.human, total: "pageViews", by: 10_000)
                    d.add(.human, total: "sessions", by: 3000)
                    // 100 values per traffic breakdown (the most a partition keeps), 10 agents, models and languages with 20 time bins each.
                    for dimension in OverviewReport.dimensions + ChatReport.dimensions {
                        for row in 0..<(ChatReport.dimensions.contains(dimension) ? 10 : 100) {
                            d.add(.human, dimension.rawValue, "/\(dimension.rawValue)/\(row)", by: Int64(100 - row))
                            if ChatReport.dimensions.contains(dimension) {
                                for bin in 20..<40 { d.add(.human, dimension.rawValue, "/\(dimension.rawValue)/\(row)", RollupMetric.time(bin), by: 1) }
                            }
                        }
                    }
                }
            }
            let range = try ReportRange.parse(range: "30d", from: nil, to: nil, timeZone: nil, now: ReportsTestBed.utc("2026-12-02", hours: 12))
            let reader = RollupReader(store: bed.store)
            let current = try reader.read(site: "shop", range: range, dimensions: OverviewReport.dimensions, audience: .humans, series: true, sketches: true)
            #expect(current.totalBuckets.count == 30)
            #expect(current.seriesBuckets.count == 30)
            let previous = try reader.read(site: "shop", range: range.previous, dimensions: [], audience: .humans, series: false, sketches: true)
            let visitors = try VisitorCounter(redis: bed.redis).count([current.totalBuckets, previous.totalBuckets] + current.seriesGroups)
            let overview = OverviewReport(
                current: current, previous: previous, visitors: visitors[0], previousVisitors: visitors[1], seriesVisitors: Array(visitors.dropFirst(2)),
                audience: .humans, limit: 10)
            #expect(overview.pageViews.current == 300_000)
            #expect(overview.breakdowns.allSatisfy { $0.rows.first?.count == 3000 && $0.total == 151_500 })
            #expect(abs(overview.visitors.current! - 60_000) / 60_000 < 0.02)
            // Each day's 2,000 visitors are its own: the series' points are exact, the total an estimate.
            #expect(overview.series.count == 30)
            #expect(overview.series.allSatisfy { $0.visitors == VisitorCount(value: 2000, isEstimate: false) && $0.pageViews == 10_000 && $0.sessions == 3000 })
            #expect(overview.visitorsAreEstimated)
            let chat = try bed.source.chats(site: "shop", range: range)
            #expect(chat.agents.first?.chats == 3000)
            #expect(chat.agents.count == 10)
        }
    }
}
