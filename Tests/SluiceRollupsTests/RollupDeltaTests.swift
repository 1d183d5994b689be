import Testing

@testable import SluiceRollups

@Suite struct RollupDeltaTests {
    @Test func shortValuesAreKeptAndEmptyBecomesNone() {
        #expect(RollupDelta.clip("/pricing") == "/pricing")
        #expect(RollupDelta.clip("") == "(none)")
        #expect(RollupDelta.clip(String(repeating: "a", count: RollupDelta.maxValueBytes)).utf8.count == RollupDelta.maxValueBytes)
    }

    @Test func longValuesAreCutToTheByteLimit() {
        let clipped = RollupDelta.clip(String(repeating: "a", count: 300))
        #expect(clipped == String(repeating: "a", count: RollupDelta.maxValueBytes))
    }

    @Test func cuttingNeverSplitsACharacter() {
        // 199 one-byte characters then two-byte ones: the first "é" would end at byte 201.
        let value = String(repeating: "a", count: 199) + String(repeating: "é", count: 10)
        #expect(RollupDelta.clip(value) == String(repeating: "a", count: 199))
        // Four-byte characters: 50 fit in 200 bytes exactly, the 51st does not.
        let emoji = String(repeating: "🚀", count: 60)
        #expect(RollupDelta.clip(emoji) == String(repeating: "🚀", count: 50))
        // A flag is one character of eight bytes: cut before a flag that would cross the limit.
        let flags = String(repeating: "x", count: 195) + "🇩🇪"
        #expect(RollupDelta.clip(flags) == String(repeating: "x", count: 195))
        #expect(RollupDelta.clip("ab🇩🇪", bytes: 9) == "ab")
        #expect(RollupDelta.clip("ab🇩🇪", bytes: 10) == "ab🇩🇪")
    }

    @Test func rowFieldsNameAudienceDimensionMetricAndClippedValue() {
        var delta = RollupDelta()
        delta.add(.human, "page", "")
        delta.add(.bot, "agent", "support", "t5", by: 3)
        delta.add(.human, total: "duration", by: 1500)
        delta.add(.human, "page", String(repeating: "p", count: 250))
        #expect(delta.order == ["h|page|n|(none)", "b|agent|t5|support", "h|duration", "h|page|n|" + String(repeating: "p", count: 200)])
        #expect(delta.increments["b|agent|t5|support"] == 3)
        #expect(delta.increments["h|duration"] == 1500)
    }

    @Test func addingTheSameFieldSumsAndKeepsFirstOrder() {
        var delta = RollupDelta()
        #expect(delta.isEmpty)
        delta.add(.human, total: "events")
        delta.add(.human, "page", "/a")
        delta.add(.human, total: "events", by: 2)
        #expect(!delta.isEmpty)
        #expect(delta.order == ["h|events", "h|page|n|/a"])
        #expect(delta.increments == ["h|events": 3, "h|page|n|/a": 1])
    }

    @Test func mergingAddsEveryIncrementAndAppendsNewFields() {
        var first = RollupDelta()
        first.add(.human, total: "events")
        first.add(.human, "page", "/a")
        var second = RollupDelta()
        second.add(.human, "page", "/b", by: 4)
        second.add(.human, total: "events", by: 2)
        second.add(.human, total: "bounces", by: -1)
        first.add(second)
        #expect(first.order == ["h|events", "h|page|n|/a", "h|page|n|/b", "h|bounces"])
        #expect(first.increments == ["h|events": 3, "h|page|n|/a": 1, "h|page|n|/b": 4, "h|bounces": -1])
        // Merging an empty delta changes nothing.
        let before = first
        first.add(RollupDelta())
        #expect(first == before)
    }
}
