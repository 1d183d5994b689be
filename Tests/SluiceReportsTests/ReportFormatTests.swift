import SluiceRollups
import Testing

@testable import SluiceReports

/// Formatting, CSV and the arithmetic of rows: pure.
@Suite struct ReportFormatTests {
    @Test func countsHaveThousandsSeparators() {
        #expect(ReportFormat.count(0) == "0")
        #expect(ReportFormat.count(999) == "999")
        #expect(ReportFormat.count(1000) == "1,000")
        #expect(ReportFormat.count(9_999) == "9,999")
        #expect(ReportFormat.count(1_234_567) == "1,234,567")
        #expect(ReportFormat.count(-1234) == "-1,234")
        #expect(ReportFormat.count(6012, estimated: true) == "≈ 6,012")
        #expect(ReportFormat.count(6012, estimated: false) == "6,012")
    }

    @Test func ratesArePercentagesWithOneDecimal() {
        #expect(ReportFormat.percent(0.1234) == "12.3%")
        #expect(ReportFormat.percent(0.12345) == "12.3%")
        #expect(ReportFormat.percent(0.9996) == "100.0%")
        #expect(ReportFormat.percent(5.0 / 8.0) == "62.5%")
        #expect(ReportFormat.percent(0) == "0.0%")
        #expect(ReportFormat.percent(nil) == "—")
        #expect(ReportFormat.change(0.125) == "+12.5%")
        #expect(ReportFormat.change(-0.5) == "-50.0%")
        #expect(ReportFormat.change(nil) == "—")
    }

    @Test func durationsPickTheirUnit() {
        #expect(ReportFormat.duration(milliseconds: 850.4) == "850 ms")
        #expect(ReportFormat.duration(milliseconds: 2500) == "2.5 s")
        #expect(ReportFormat.duration(milliseconds: 185_000) == "3 min 05 s")
        #expect(ReportFormat.duration(milliseconds: 7_620_000) == "2 h 07 min")
        #expect(ReportFormat.duration(milliseconds: nil) == "—")
    }

    @Test func cellsShowFormattedAndWriteRawValues() {
        #expect(ReportCell.count(12_345).display == "12,345")
        #expect(ReportCell.count(12_345).csvValue == "12345")
        #expect(ReportCell.rate(0.625).display == "62.5%")
        #expect(ReportCell.rate(0.625).csvValue == "0.625")
        #expect(ReportCell.rate(1.0 / 3.0).csvValue == "0.3333")
        #expect(ReportCell.rate(nil).csvValue == "")
        #expect(ReportCell.milliseconds(931.3225746154785).csvValue == "931.3")
        #expect(ReportCell.milliseconds(2000).csvValue == "2000")
    }

    @Test func csvFollowsRFC4180() {
        let table = ReportTable(
            title: "Pages", columns: ["Page", "Page views", "Share"],
            rows: [
                [.text("/a,b"), .count(3), .rate(0.5)],
                [.text("say \"hi\""), .count(2), .rate(1.0 / 3.0)],
                [.text("two\nlines"), .count(1), .rate(nil)],
                [.text("=HYPERLINK(\"x\")"), .count(0), .rate(0)],
            ])
        #expect(
            table.csv
                == "Page,Page views,Share\r\n\"/a,b\",3,0.5\r\n\"say \"\"hi\"\"\",2,0.3333\r\n\"two\nlines\",1,\r\n\"'=HYPERLINK(\"\"x\"\")\",0,0\r\n")
        #expect(ReportTable(title: "Empty", columns: ["A"], rows: []).csv == "A\r\n")
    }

    /// A page's cells show durations with their unit ("1.2 s"); CSV holds them as plain
    /// milliseconds, so its header names the unit and the page's does not.
    @Test func durationColumnsNameTheirUnitInCSVOnly() {
        let table = ReportTable(title: "Tools", columns: ["Tool", "Execution p50"], rows: [[.text("search"), .milliseconds(1200)]])
        #expect(table.columns == ["Tool", "Execution p50"])
        #expect(table.rows[0][1].display == "1.2 s")
        #expect(table.csv == "Tool,Execution p50 (ms)\r\nsearch,1200\r\n")
    }

    @Test func rowMetricsReadRatesAndPercentilesFromTheHistogram() {
        let fast = TimeHistogram.index(of: 100)
        let slow = TimeHistogram.index(of: 2000)
        let metrics = RowMetrics([RollupMetric.count: 20, RollupMetric.failures: 5, RollupMetric.time(fast): 18, RollupMetric.time(slow): 2])
        #expect(metrics.successRate == 0.75)
        #expect(metrics.percentile(0.5) == TimeHistogram.upperBound(of: fast))
        // The 19th of 20 times (rank ⌈0.95 × 20⌉ = 19) is a slow one.
        #expect(metrics.percentile(0.95) == TimeHistogram.upperBound(of: slow))
        #expect(metrics.percentile(0.90) == TimeHistogram.upperBound(of: fast))
        #expect((100.0...125.0).contains(metrics.percentile(0.5)!))
        #expect(RowMetrics([:]).successRate == nil)
        #expect(RowMetrics([:]).percentile(0.5) == nil)
    }

    @Test func shareTablesKeepTheTopRowsAndTheWholeTotal() {
        let table = ShareTable(dimension: .page, values: ["/b": ["n": 30], "/a": ["n": 30], "/c": ["n": 40], "/d": ["n": 0]], limit: 2)
        #expect(table.total == 100)
        #expect(table.rows == [.init(key: "/c", count: 40, share: 0.4), .init(key: "/a", count: 30, share: 0.3)])
        #expect(table.table.columns == ["Pages", "Page views", "Share"])
        #expect(table.table.csv == "Pages,Page views,Share\r\n/c,40,0.4\r\n/a,30,0.3\r\n")
    }

    @Test func figuresCompareWithThePreviousPeriod() {
        #expect(ReportFigure(current: 200, previous: 100).change == 1)
        #expect(ReportFigure(current: 50, previous: 100).change == -0.5)
        #expect(ReportFigure(current: 5, previous: 0).change == nil)
        #expect(ReportFigure(current: nil, previous: 0.5).change == nil)
        #expect(ReportFigure(current: 0.25, previous: 0.5).difference == -0.25)
    }
}
