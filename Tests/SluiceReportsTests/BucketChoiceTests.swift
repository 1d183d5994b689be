import SluiceRollups
import Testing

@testable import SluiceReports

/// Which buckets a range reads: hours from a zone's local midnight, or a UTC day for the totals beside an hourly series.
@Suite struct BucketChoiceTests {
    @Test func aNewYorkDayIsReadFromItsHours() throws {
        try ReportsTestBed.withFresh { bed in
            let ids = ReportsTestBed.ids
            // 2026-11-29 in New York (UTC-5) is 05:00Z on the 29th to 05:00Z on the 30th.
            try bed.write(.hour, ReportsTestBed.utc("2026-11-29", hours: 5), visitors: ids("a", 0..<100)) { $0.add(.human, total: "pageViews", by: 3) }
            try bed.write(.hour, ReportsTestBed.utc("2026-11-29", hours: 6), visitors: ids("a", 50..<150)) { $0.add(.human, total: "pageViews", by: 4) }
            try bed.write(.hour, ReportsTestBed.utc("2026-11-30", hours: 4), visitors: ids("a", 150..<160)) { $0.add(.human, total: "pageViews", by: 5) }
            // Outside: the hour before local midnight, the hour after the day, and the UTC day itself.
            for start in [ReportsTestBed.utc("2026-11-29", hours: 4), ReportsTestBed.utc("2026-11-30", hours: 5)] {
                try bed.write(.hour, start, visitors: ids("x", 0..<10)) { $0.add(.human, total: "pageViews", by: 1000) }
            }
            try bed.write(.day, ReportsTestBed.utc("2026-11-29"), visitors: ids("x", 0..<10)) { $0.add(.human, total: "pageViews", by: 1000) }
            let range = try ReportRange.parse(
                range: "custom", from: "2026-11-29", to: "2026-11-29", timeZone: "America/New_York", now: ReportsTestBed.utc("2026-12-02"))
            let report = try bed.source.overview(site: "shop", range: range)
            #expect(report.pageViews.current == 12)
            let visitors = try #require(report.visitors.current)
            #expect(abs(visitors - 160) / 160 < 0.02, "visitors \(visitors)")
            #expect(report.visitorsAreEstimated)
            #expect(report.series.count == 24)
            #expect(report.series.first?.label == "2026-11-29 00:00")
            #expect(report.series.prefix(2).map(\.pageViews) == [3, 4])
            #expect(report.series.prefix(2).map(\.visitors) == [100, 100].map { VisitorCount(value: $0, isEstimate: false) })
            #expect(report.series.last?.pageViews == 5)
            #expect(report.series.dropFirst(2).dropLast().allSatisfy { $0.pageViews == 0 && $0.visitors.value == 0 })
            #expect(try bed.redisKeys() == [])
        }
    }

    @Test func aUTCDayTakesItsTotalsFromTheDayAndItsSeriesFromTheHours() throws {
        try ReportsTestBed.withFresh { bed in
            let ids = ReportsTestBed.ids
            try bed.write(.day, ReportsTestBed.utc("2026-12-02"), visitors: ids("v", 0..<500)) { d in
                d.add(.human, total: "pageViews", by: 10)
                d.add(.human, "page", "/", by: 10)
            }
            try bed.write(.hour, ReportsTestBed.utc("2026-12-02", hours: 0), visitors: ids("v", 0..<300)) { d in
                d.add(.human, total: "pageViews", by: 4)
                d.add(.human, "page", "/", by: 4)
            }
            try bed.write(.hour, ReportsTestBed.utc("2026-12-02", hours: 1), visitors: ids("v", 200..<500)) { d in
                d.add(.human, total: "pageViews", by: 6)
                d.add(.human, "page", "/", by: 6)
            }
            // Yesterday: 2 page views before 03:00, 100 after; today is compared with its first three hours only.
            try bed.write(.day, ReportsTestBed.utc("2026-12-01"), visitors: ids("w", 0..<20)) { $0.add(.human, total: "pageViews", by: 102) }
            try bed.write(.hour, ReportsTestBed.utc("2026-12-01", hours: 1), visitors: ids("w", 0..<5)) { $0.add(.human, total: "pageViews", by: 2) }
            try bed.write(.hour, ReportsTestBed.utc("2026-12-01", hours: 3), visitors: ids("w", 0..<20)) { $0.add(.human, total: "pageViews", by: 100) }
            let range = try ReportRange.parse(range: "today", from: nil, to: nil, timeZone: nil, now: ReportsTestBed.utc("2026-12-02", hours: 3))
            let report = try bed.source.overview(site: "shop", range: range)
            // One day bucket: its own exact count, no estimate, and no hour counted twice.
            #expect(report.visitors == ReportFigure(current: 500, previous: 5))
            #expect(!report.visitorsAreEstimated)
            #expect(report.pageViews == ReportFigure(current: 10, previous: 2))
            #expect(report.breakdowns.first?.rows.map(\.count) == [10])
            #expect(report.series.count == 24)
            #expect(report.series.prefix(3).map(\.pageViews) == [4, 6, 0])
            #expect(report.series.prefix(2).map(\.visitors.value) == [300, 300])
            // No Redis was needed: nothing came from more than one bucket.
            #expect(try bed.redisKeys() == [])
        }
    }

    @Test func theFindFollowsTheIndexAndReadsOnlyWhatTheReportNeeds() throws {
        let range = try ThreeDays.range()
        for span in range.readSpans(series: true) {
            let filter = RollupReader.filter(site: "shop", span: span)
            #expect(filter.objectValue?.members.map(\.key) == ["site", "granularity", "start"])
        }
        // Only the overview counts visitors over several buckets, so only it fetches their sketches (up to 12 KB a bucket).
        let fields = RollupReader.projection(dimensions: ChatReport.dimensions, audience: .humans, sketches: false).objectValue?.members.map(\.key) ?? []
        #expect(fields.contains("human.agent") && fields.contains("human.sessions"))
        #expect(!fields.contains("visitorsHLL") && !fields.contains("human.page") && !fields.contains { $0.hasPrefix("bot.") })
        #expect(RollupReader.projection(dimensions: [], audience: .humans, sketches: true).objectValue?["visitorsHLL"] != nil)
        let botFields = RollupReader.projection(dimensions: [], audience: .bots, sketches: true).objectValue?.members.map(\.key) ?? []
        #expect(botFields == ["granularity", "start", "bot.pageViews", "bot.events"])
    }
}
