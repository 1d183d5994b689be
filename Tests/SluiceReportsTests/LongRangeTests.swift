import SluiceMongo
import SluiceRollups
import Testing

@testable import SluiceReports

/// A 400-day range in a zone other than UTC reads its whole UTC days as day buckets and
/// only its edges as hours, so neither MongoDB nor Redis gets one document or sketch per hour.
@Suite struct LongRangeTests {
    @Test func fourHundredDaysInParisReadDaysAndOnlyTheEdgesAsHours() throws {
        try ReportsTestBed.withFresh { bed in
            let first = CivilDate("2025-01-01")!
            let last = first.adding(days: 399)
            let range = try ReportRange(first: first, last: last, timeZone: ReportRange.timeZone(named: "Europe/Paris"))
            // Every hour of the range and a day either side, one page view each, and every UTC day with its 24;
            // the same 50 visitors everywhere.
            let sketch = try bed.sketch(ReportsTestBed.ids("v", 0..<50))
            let hour = RollupBucket.Granularity.hour.milliseconds
            let day = RollupBucket.Granularity.day.milliseconds
            let from = ReportsTestBed.utc(first.adding(days: -1).description)
            let to = ReportsTestBed.utc(last.adding(days: 2).description)
            let hours = stride(from: from, to: to, by: Int(hour)).map { RollupBucket(site: "shop", granularity: .hour, start: $0) }
            let days = stride(from: from, to: to, by: Int(day)).map { RollupBucket(site: "shop", granularity: .day, start: $0) }
            try bed.writeMany(hours, pageViews: 1, visitors: 50, sketch: sketch)
            try bed.writeMany(days, pageViews: 24, visitors: 50, sketch: sketch)
            let read = try RollupReader(store: bed.store).read(site: "shop", range: range, dimensions: [], audience: .humans, series: true, sketches: true)
            // 400 days, of which at most 399 whole UTC days, and at most two days' hours at the edges.
            #expect(read.totalBuckets.count <= 399 + 48, "\(read.totalBuckets.count) documents")
            #expect(read.totalBuckets.filter { $0.bucket.granularity == .hour }.count <= 48)
            // Exact to the hour all the same: one page view per hour from Paris midnight to Paris midnight.
            #expect(read.totals.total(.pageViews, .humans) == (range.bucketEnd - range.bucketStart) / hour)
            #expect(read.seriesGroups.count == 400)
            let report = try bed.source.overview(site: "shop", range: range)
            #expect(report.series.count == 400)
            #expect(report.series.allSatisfy { $0.pageViews >= 22 && $0.pageViews <= 26 })
            #expect(report.visitors.current.map { abs($0 - 50) <= 1 } == true, "\(String(describing: report.visitors.current))")
            #expect(try bed.redisKeys() == [])
        }
    }
}
