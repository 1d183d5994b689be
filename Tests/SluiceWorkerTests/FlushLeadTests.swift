import Testing

@testable import SluiceWorker

/// How much earlier than its interval the flusher writes a change (`DerivedFlusher.lead`).
@Suite struct FlushLeadTests {
    /// A quick last look leaves the lead at three seconds; a slow one (a store that fell
    /// behind) moves it earlier by that look's time and a period.
    @Test func leadFollowsTheLastLookPastThreeSeconds() {
        #expect(DerivedFlusher.lead(intervalMilliseconds: 60_000, lastLookMilliseconds: 0, period: 1000) == 3000)
        #expect(DerivedFlusher.lead(intervalMilliseconds: 60_000, lastLookMilliseconds: 1500, period: 1000) == 3000)
        #expect(DerivedFlusher.lead(intervalMilliseconds: 60_000, lastLookMilliseconds: 7000, period: 1000) == 8000)
    }

    /// Never more than a quarter of the interval: a key is still written at most about
    /// once an interval, however slow the store.
    @Test func leadStaysWithinAQuarterOfTheInterval() {
        #expect(DerivedFlusher.lead(intervalMilliseconds: 60_000, lastLookMilliseconds: 40_000, period: 1000) == 15_000)
        #expect(DerivedFlusher.lead(intervalMilliseconds: 1000, lastLookMilliseconds: 0, period: 250) == 250)
    }
}
