import Testing

@testable import SluiceRollups

@Suite struct RollupCountsTests {
    @Test func fieldsAreReadAsTotalsAndRows() {
        var counts = RollupCounts()
        counts.add(field: "h|pageViews", count: 3)
        counts.add(field: "h|pageViews", count: 2)
        counts.add(field: "b|events", count: 7)
        counts.add(field: "h|page|n|/pricing", count: 4)
        counts.add(field: "h|agent|t22|support", count: 1)
        // A value may hold `|`: it comes last.
        counts.add(field: "h|page|n|/a|b", count: 1)
        #expect(counts.totals == [.human: ["pageViews": 5], .bot: ["events": 7]])
        #expect(counts.rows[.human]?["page"] == ["/pricing": ["n": 4], "/a|b": ["n": 1]])
        #expect(counts.rows[.human]?["agent"]?["support"] == ["t22": 1])
    }

    @Test func capFieldsAndUnknownShapesAreIgnored() {
        var counts = RollupCounts()
        counts.add(field: "h|page|#", count: 100)
        counts.add(field: "x|events", count: 1)
        counts.add(field: "events", count: 1)
        counts.add(field: "", count: 1)
        #expect(counts == RollupCounts())
    }

    @Test func aDeltaAddsEveryIncrement() {
        var delta = RollupDelta()
        delta.add(.human, total: "events", by: 2)
        delta.add(.human, "tool", "search", "failures")
        delta.add(.bot, "page", "/")
        var counts = RollupCounts()
        counts.add(delta)
        counts.add(delta)
        #expect(counts.totals == [.human: ["events": 4]])
        #expect(counts.rows == [.human: ["tool": ["search": ["failures": 2]]], .bot: ["page": ["/": ["n": 2]]]])
    }

    @Test func normalizedLeavesOutZeroCountsAndEmptyRows() {
        var counts = RollupCounts()
        counts.add(field: "h|bounces", count: 1)
        counts.add(field: "h|bounces", count: -1)
        counts.add(field: "b|events", count: 0)
        counts.add(field: "h|events", count: 2)
        counts.add(field: "h|page|n|/gone", count: 0)
        counts.add(field: "h|page|n|/kept", count: 1)
        counts.add(field: "h|page|t3|/kept", count: 0)
        let normalized = counts.normalized
        #expect(normalized.totals == [.human: ["events": 2]])
        #expect(normalized.rows == [.human: ["page": ["/kept": ["n": 1]]]])
        #expect(counts != normalized)
        #expect(counts.differences(from: normalized).isEmpty)
    }

    @Test func differencesAreOneSortedLinePerCount() {
        let separator = String(RollupDelta.valueSeparator)
        var mine = RollupCounts()
        mine.add(field: "h|pageViews", count: 3)
        mine.add(field: "h|page|n|/a", count: 2)
        mine.add(field: "h|toolError|n|search\(separator)timed out", count: 1)
        mine.add(field: "b|events", count: 5)
        var theirs = RollupCounts()
        theirs.add(field: "h|pageViews", count: 2)
        theirs.add(field: "h|page|n|/a", count: 2)
        theirs.add(field: "b|events", count: 5)
        theirs.add(field: "h|sessions", count: 1)
        #expect(
            mine.differences(from: theirs) == [
                "human pageViews: 3 vs 2",
                "human sessions: 0 vs 1",
                "human toolError search / timed out n: 1 vs 0",
            ])
        #expect(theirs.differences(from: mine).first == "human pageViews: 2 vs 3")
        #expect(mine.differences(from: mine).isEmpty)
    }

    @Test func cappedKeepsTheMostCountedValuesAndAddsTheRestToOther() {
        let separator = String(RollupDelta.valueSeparator)
        var counts = RollupCounts()
        counts.add(field: "h|pageViews", count: 50)
        // /p0 … /p4 counted 1 … 5 times, each with a time bin; (other) already holds 7 from a partition's cap.
        for index in 0..<5 {
            counts.add(field: Substring("h|page|n|/p\(index)"), count: Int64(index + 1))
            counts.add(field: Substring("h|page|t3|/p\(index)"), count: 1)
        }
        counts.add(field: "h|page|n|(other)", count: 7)
        // Ties go by value, so the cut is the same wherever the counts come from.
        counts.add(field: "h|tool|n|b", count: 2)
        counts.add(field: "h|tool|n|a", count: 2)
        counts.add(field: "h|tool|n|c", count: 2)
        // Funnel rows are the configured steps, user events the site's own names: never cut.
        for step in 1...4 { counts.add(field: Substring("h|funnel|n|checkout\(separator)\(step)"), count: 1) }
        for name in ["signup", "login", "logout"] { counts.add(field: Substring("h|userEvent|n|auth\(separator)\(name)"), count: 1) }
        let capped = counts.capped(rows: 2)
        #expect(capped.totals == counts.totals)
        #expect(capped.rows[.human]?["page"] == ["/p4": ["n": 5, "t3": 1], "/p3": ["n": 4, "t3": 1], "(other)": ["n": 7 + 3 + 2 + 1, "t3": 3]])
        #expect(capped.rows[.human]?["tool"] == ["a": ["n": 2], "b": ["n": 2], "(other)": ["n": 2]])
        #expect(capped.rows[.human]?["funnel"]?.count == 4)
        #expect(capped.rows[.human]?["userEvent"]?.count == 3)
        // Nothing is lost: every metric adds up to what it was.
        for dimension in ["page", "tool"] {
            for metric in ["n", "t3"] {
                let sum = { (rows: [String: [String: Int64]]?) in rows?.values.reduce(0) { $0 + ($1[metric] ?? 0) } ?? 0 }
                #expect(sum(capped.rows[.human]?[dimension]) == sum(counts.rows[.human]?[dimension]))
            }
        }
        // Within the limit, nothing changes; capping twice is capping once.
        #expect(counts.capped(rows: 100) == counts.normalized)
        #expect(capped.capped(rows: 2) == capped)
    }
}
