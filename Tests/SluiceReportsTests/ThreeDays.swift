import SluiceReports
import SluiceRollups

/// The data set most store tests read: three UTC days of site `shop` (2026-11-28 … 30),
/// a day of the previous period (11-26), and documents no report of that range may
/// count (another site, a day after, a day before the previous period, an hour bucket).
enum ThreeDays {
    static let site = "shop"
    static let first = "2026-11-28", last = "2026-11-30"

    /// The range: 2026-11-28 … 2026-11-30 in UTC.
    static func range() throws -> ReportRange {
        try ReportRange.parse(range: "custom", from: first, to: last, timeZone: "UTC", now: ReportsTestBed.utc("2026-12-02"))
    }

    static func seed(_ bed: ReportsTestBed) throws {
        let t = ReportsTestBed.time
        let pair = ReportsTestBed.pair
        let ids = ReportsTestBed.ids
        try bed.write(.day, ReportsTestBed.utc("2026-11-28"), visitors: ids("v", 0..<3000)) { d in
            d.add(.human, total: "pageViews", by: 100)
            d.add(.human, total: "events", by: 150)
            d.add(.human, total: "sessions", by: 40)
            d.add(.human, total: "bounces", by: 10)
            d.add(.human, total: "duration", by: 2_400_000)
            d.add(.bot, total: "pageViews", by: 7)
            d.add(.bot, total: "events", by: 9)
            for (value, count) in [("/", 50), ("/pricing", 30), ("/docs", 20)] { d.add(.human, "page", value, by: Int64(count)) }
            d.add(.bot, "page", "/", by: 7)
            for (dimension, rows) in [
                ("entryPage", [("/", 30), ("/pricing", 10)]), ("exitPage", [("/pricing", 25), ("/", 15)]), ("referrer", [("google.com", 25), ("(none)", 15)]),
                ("channel", [("Organic Search", 25), ("Direct", 15)]), ("utmSource", [("newsletter", 5)]), ("utmMedium", [("email", 5)]),
                ("utmCampaign", [("launch", 5)]), ("deviceType", [("desktop", 30), ("mobile", 10)]), ("browser", [("Chrome", 28), ("Firefox", 12)]),
                ("os", [("Mac OS X", 20), ("Windows", 20)]),
            ] {
                for (value, count) in rows { d.add(.human, dimension, value, by: Int64(count)) }
            }
            for (dimension, value) in [("agent", "support"), ("model", "gpt")] {
                d.add(.human, dimension, value, by: 10)
                d.add(.human, dimension, value, "satisfied", by: 4)
                d.add(.human, dimension, value, "unsatisfied", by: 1)
                d.add(.human, dimension, value, t(100), by: 8)
                d.add(.human, dimension, value, t(2000), by: 2)
            }
            d.add(.human, "language", "en", by: 10)
            for dimension in ["tool", "toolCategory"] {
                let value = dimension == "tool" ? "search" : "web"
                d.add(.human, dimension, value, by: 10)
                d.add(.human, dimension, value, "failures", by: 2)
                d.add(.human, dimension, value, t(50), by: 10)
            }
            d.add(.human, "toolError", pair("search", "timeout"), by: 2)
            for (dimension, value) in [("experiment", "summarize"), ("labModel", "gpt")] {
                d.add(.human, dimension, value, by: 4)
                d.add(.human, dimension, value, "failures", by: 1)
                d.add(.human, dimension, value, t(3000), by: 4)
            }
            d.add(.human, "endpoint", pair("/v1/orders", "GET"), by: 100)
            d.add(.human, "endpoint", pair("/v1/orders", "GET"), "s4xx", by: 5)
            d.add(.human, "endpoint", pair("/v1/orders", "GET"), "s5xx", by: 1)
            d.add(.human, "endpoint", pair("/v1/orders", "GET"), t(50), by: 100)
            d.add(.bot, "endpoint", pair("/v1/orders", "GET"), by: 20)
            d.add(.human, "userEvent", pair("auth", "signup"), by: 12)
            d.add(.human, "userEvent", pair("auth", "signup"), "failures", by: 2)
        }
        try bed.write(.day, ReportsTestBed.utc("2026-11-29"), visitors: ids("v", 2000..<5000)) { d in
            d.add(.human, total: "pageViews", by: 60)
            d.add(.human, total: "events", by: 80)
            d.add(.human, total: "sessions", by: 20)
            d.add(.human, total: "bounces", by: 5)
            d.add(.human, total: "duration", by: 1_200_000)
            d.add(.human, "page", "/pricing", by: 40)
            d.add(.human, "page", "/", by: 20)
            d.add(.human, "entryPage", "/pricing", by: 20)
            for (dimension, value) in [("agent", "support"), ("model", "gpt")] {
                d.add(.human, dimension, value, by: 5)
                d.add(.human, dimension, value, "satisfied", by: 1)
                d.add(.human, dimension, value, t(100), by: 5)
            }
            for (dimension, value) in [("agent", "sales"), ("model", "claude")] {
                d.add(.human, dimension, value, by: 3)
                d.add(.human, dimension, value, "unsatisfied", by: 2)
                d.add(.human, dimension, value, t(500), by: 3)
            }
            d.add(.human, "language", "en", by: 2)
            d.add(.human, "language", "fr", by: 6)
            for dimension in ["tool", "toolCategory"] {
                let value = dimension == "tool" ? "fetch" : "web"
                d.add(.human, dimension, value, by: 5)
                d.add(.human, dimension, value, "failures", by: 1)
                d.add(.human, dimension, value, t(800), by: 5)
            }
            d.add(.human, "toolError", pair("fetch", "404"), by: 1)
            d.add(.human, "endpoint", pair("/v1/search", "POST"), by: 10)
            d.add(.human, "endpoint", pair("/v1/search", "POST"), t(800), by: 10)
            d.add(.human, "userEvent", pair("payment", "succeeded"), by: 3)
        }
        try bed.write(.day, ReportsTestBed.utc("2026-11-30"), visitors: ids("v", 4000..<6000)) { d in
            d.add(.human, total: "pageViews", by: 40)
            d.add(.human, total: "events", by: 40)
            d.add(.human, total: "sessions", by: 10)
            d.add(.human, total: "bounces", by: 10)
            d.add(.human, "page", "/docs", by: 40)
            d.add(.human, "entryPage", "/docs", by: 10)
        }
        // The previous period (2026-11-25 … 27) has one day with data.
        try bed.write(.day, ReportsTestBed.utc("2026-11-26"), visitors: ids("p", 0..<1000)) { d in
            d.add(.human, total: "pageViews", by: 100)
            d.add(.human, total: "events", by: 100)
            d.add(.human, total: "sessions", by: 50)
            d.add(.human, total: "bounces", by: 25)
            d.add(.human, total: "duration", by: 3_000_000)
            d.add(.bot, total: "pageViews", by: 3)
        }
        // Nothing below may be counted.
        let noise: (inout RollupDelta) -> Void = { d in
            d.add(.human, total: "pageViews", by: 1000)
            d.add(.human, total: "sessions", by: 1000)
            d.add(.human, "page", "/noise", by: 1000)
            d.add(.human, "agent", "noise", by: 1000)
        }
        try bed.write(site: "blog", .day, ReportsTestBed.utc("2026-11-28"), noise)
        try bed.write(.day, ReportsTestBed.utc("2026-12-01"), noise)
        try bed.write(.day, ReportsTestBed.utc("2026-11-24"), noise)
        try bed.write(.hour, ReportsTestBed.utc("2026-11-28", hours: 5), noise)
    }
}
