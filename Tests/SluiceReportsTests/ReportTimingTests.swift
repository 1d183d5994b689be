import Foundation
import SluiceRollups
import Testing

@testable import SluiceReports

/// A 30-day range over full day buckets (100 values in every traffic breakdown, dense HyperLogLogs):
/// 30 documents read, and the report's own work timed apart from the store's.
@Suite struct ReportTimingTests {
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
            let clock = ContinuousClock()
            var read: RollupRead?
            let readTime = try clock.measure { read = try reader.read(site: "shop", range: range, dimensions: OverviewReport.dimensions, audience: .humans, series: true) }
            let current = try #require(read)
            #expect(current.totalBuckets.count == 30)
            #expect(current.seriesBuckets.count == 30)
            let previous = try reader.read(site: "shop", range: range.previous, dimensions: [], audience: .humans, series: false)
            var visitors: [VisitorCount] = []
            let visitorTime = try clock.measure { visitors = try VisitorCounter(redis: bed.redis).count([current.totalBuckets, previous.totalBuckets] + current.seriesGroups) }
            var report: OverviewReport?
            let computeTime = clock.measure {
                report = OverviewReport(
                    current: current, previous: previous, visitors: visitors[0], previousVisitors: visitors[1], seriesVisitors: Array(visitors.dropFirst(2)),
                    audience: .humans, limit: 10)
            }
            let overview = try #require(report)
            #expect(overview.pageViews.current == 300_000)
            #expect(overview.breakdowns.allSatisfy { $0.rows.first?.count == 3000 && $0.total == 151_500 })
            #expect(abs(overview.visitors.current! - 60_000) / 60_000 < 0.02)
            var chat: ChatReport?
            let chatTime = try clock.measure { chat = try bed.source.chats(site: "shop", range: range) }
            #expect(chat?.agents.first?.chats == 3000)
            #expect(chat?.agents.count == 10)
            print("30 day documents: read and decode \(readTime), visitors \(visitorTime), overview from merged counts \(computeTime), whole chat report \(chatTime)")
        }
    }
}
