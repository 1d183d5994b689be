import SluiceRollups
import Testing

@testable import SluiceReports

/// The overview read from real `rollups` documents in SecantusDB, visitors merged by real Redis.
@Suite struct OverviewReportTests {
    @Test func everyFigureOfThreeUTCDays() throws {
        try ReportsTestBed.withFresh { bed in
            try ThreeDays.seed(bed)
            let report = try bed.source.overview(site: ThreeDays.site, range: try ThreeDays.range())
            // 6,000 distinct ids over three days (3,000 + 3,000 + 2,000, overlapping): a merged HyperLogLog.
            let visitors = try #require(report.visitors.current)
            #expect(abs(visitors - 6000) / 6000 < 0.02, "visitors \(visitors)")
            #expect(report.visitorsAreEstimated)
            #expect(report.visitors.previous == 1000)
            #expect(report.pageViews == ReportFigure(current: 200, previous: 100))
            #expect(report.pageViews.change == 1)
            #expect(report.sessions == ReportFigure(current: 70, previous: 50))
            #expect(report.bounceRate == ReportFigure(current: 25.0 / 70.0, previous: 0.5))
            #expect(report.averageDuration == ReportFigure(current: 3_600_000.0 / 70.0, previous: 60_000))
            #expect(report.series.map(\.label) == ["2026-11-28", "2026-11-29", "2026-11-30"])
            #expect(report.series.map(\.visitors) == [3000, 3000, 2000].map { VisitorCount(value: $0, isEstimate: false) })
            #expect(report.series.map(\.pageViews) == [100, 60, 40])
            #expect(report.series.map(\.sessions) == [40, 20, 10])
            let tables = Dictionary(uniqueKeysWithValues: report.breakdowns.map { ($0.dimension, $0) })
            #expect(report.breakdowns.map(\.dimension) == OverviewReport.dimensions)
            #expect(tables[.page]?.total == 200)
            #expect(
                tables[.page]?.rows == [
                    .init(key: "/", count: 70, share: 0.35), .init(key: "/pricing", count: 70, share: 0.35), .init(key: "/docs", count: 60, share: 0.3),
                ])
            #expect(tables[.entryPage]?.rows.map(\.key) == ["/", "/pricing", "/docs"])
            #expect(tables[.entryPage]?.rows.map(\.count) == [30, 30, 10])
            #expect(tables[.exitPage]?.rows.map(\.key) == ["/pricing", "/"])
            #expect(tables[.referrer]?.rows == [.init(key: "google.com", count: 25, share: 0.625), .init(key: "(none)", count: 15, share: 0.375)])
            #expect(tables[.channel]?.rows.map(\.key) == ["Organic Search", "Direct"])
            #expect(tables[.utmSource]?.rows == [.init(key: "newsletter", count: 5, share: 1)])
            #expect(tables[.utmMedium]?.rows.map(\.key) == ["email"])
            #expect(tables[.utmCampaign]?.rows.map(\.key) == ["launch"])
            #expect(tables[.deviceType]?.rows.map(\.share) == [0.75, 0.25])
            #expect(tables[.browser]?.rows.map(\.key) == ["Chrome", "Firefox"])
            #expect(tables[.os]?.rows.map(\.key) == ["Mac OS X", "Windows"])
            let csv = report.tables.map(\.csv)
            #expect(csv.first == "Day,Visitors,Page views,Sessions\r\n2026-11-28,3000,100,40\r\n2026-11-29,3000,60,20\r\n2026-11-30,2000,40,10\r\n")
            #expect(csv.contains("Pages,Page views,Share\r\n/,70,0.35\r\n/pricing,70,0.35\r\n/docs,60,0.3\r\n"))
            // The scratch keys the visitors were merged in are gone.
            #expect(try bed.redisKeys() == [])
        }
    }

    /// The visitors alone (the funnels page's denominator) are the overview's, estimate flag
    /// included, for a range of several buckets and for a single day; none with bots only.
    @Test func theVisitorsAloneAreTheOverviews() throws {
        try ReportsTestBed.withFresh { bed in
            try ThreeDays.seed(bed)
            let threeDays = try ThreeDays.range()
            let lastDay = try ReportRange.parse(
                range: "custom", from: ThreeDays.last, to: ThreeDays.last, timeZone: "UTC", now: ReportsTestBed.utc("2026-12-02"))
            for range in [threeDays, lastDay] {
                for audience in [ReportAudience.humans, .all] {
                    let overview = try bed.source.overview(site: ThreeDays.site, range: range, audience: audience)
                    let alone = try bed.source.visitors(site: ThreeDays.site, range: range, audience: audience)
                    #expect(Double(alone.value) == overview.visitors.current && alone.isEstimate == overview.visitorsAreEstimated)
                }
            }
            #expect(try bed.source.visitors(site: ThreeDays.site, range: lastDay) == VisitorCount(value: 2000, isEstimate: false))
            #expect(try bed.source.visitors(site: ThreeDays.site, range: threeDays, audience: .bots) == VisitorCount(value: 0, isEstimate: false))
        }
    }

    @Test func botsAndEveryoneOnRequest() throws {
        try ReportsTestBed.withFresh { bed in
            try ThreeDays.seed(bed)
            let bots = try bed.source.overview(site: ThreeDays.site, range: try ThreeDays.range(), audience: .bots)
            #expect(bots.pageViews == ReportFigure(current: 7, previous: 3))
            #expect(bots.visitors == ReportFigure(current: 0, previous: 0))
            #expect(!bots.visitorsAreEstimated)
            #expect(bots.sessions == ReportFigure(current: 0, previous: 0))
            #expect(bots.bounceRate.current == nil)
            #expect(bots.series.map(\.pageViews) == [7, 0, 0])
            #expect(bots.breakdowns.first?.rows == [.init(key: "/", count: 7, share: 1)])
            let all = try bed.source.overview(site: ThreeDays.site, range: try ThreeDays.range(), audience: .all, limit: 1)
            #expect(all.pageViews == ReportFigure(current: 207, previous: 103))
            #expect(all.sessions.current == 70)
            #expect(all.breakdowns.first?.total == 207)
            #expect(all.breakdowns.first?.rows == [.init(key: "/", count: 77, share: 77.0 / 207.0)])
            #expect(all.series.map(\.pageViews) == [107, 60, 40])
        }
    }

    @Test func anEmptyRangeHasZerosAndNoRates() throws {
        try ReportsTestBed.withFresh { bed in
            let range = try ReportRange.parse(range: "7d", from: nil, to: nil, timeZone: nil, now: ReportsTestBed.utc("2026-12-02"))
            let report = try bed.source.overview(site: "", range: range)
            #expect(report.visitors == ReportFigure(current: 0, previous: 0))
            #expect(report.pageViews.change == nil)
            #expect(report.bounceRate == ReportFigure(current: nil, previous: nil))
            #expect(report.averageDuration.current == nil)
            #expect(report.series.count == 7)
            #expect(report.breakdowns.allSatisfy { $0.rows.isEmpty && $0.total == 0 })
        }
    }
}
