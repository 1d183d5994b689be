import Testing

@testable import SluiceWorker

/// How much earlier than its interval the flusher writes a change (`DerivedFlusher.lead`),
/// and how it catches up when it falls behind (`DerivedFlusher.nextChunk`).
@Suite struct FlushLeadTests {
    /// A quick last look leaves the lead at five seconds; a slow one (a store that fell
    /// behind) moves it earlier by that look's time and a period.
    @Test func leadFollowsTheLastLookPastFiveSeconds() {
        #expect(DerivedFlusher.lead(intervalMilliseconds: 60_000, lastLookMilliseconds: 0, period: 1000) == 5000)
        #expect(DerivedFlusher.lead(intervalMilliseconds: 60_000, lastLookMilliseconds: 3500, period: 1000) == 5000)
        #expect(DerivedFlusher.lead(intervalMilliseconds: 60_000, lastLookMilliseconds: 7000, period: 1000) == 8000)
    }

    /// Never more than a quarter of the interval: a key is still written at most about
    /// once an interval, however slow the store.
    @Test func leadStaysWithinAQuarterOfTheInterval() {
        #expect(DerivedFlusher.lead(intervalMilliseconds: 60_000, lastLookMilliseconds: 40_000, period: 1000) == 15_000)
        #expect(DerivedFlusher.lead(intervalMilliseconds: 1000, lastLookMilliseconds: 0, period: 250) == 250)
    }

    /// A pass whose oldest key is near its interval's end doubles the next pass, up to
    /// `maxChunk`; once the keys are younger again, passes are small again.
    @Test func aFlusherBehindTakesBiggerPassesUntilItHasCaughtUp() {
        let deadline: Int64 = 100_000
        #expect(DerivedFlusher.nextChunk(after: DerivedFlusher.chunk, oldestChange: deadline - 1, behindBefore: deadline) == 2 * DerivedFlusher.chunk)
        #expect(DerivedFlusher.nextChunk(after: 64, oldestChange: deadline - 1, behindBefore: deadline) == DerivedFlusher.maxChunk)
        #expect(DerivedFlusher.nextChunk(after: DerivedFlusher.maxChunk, oldestChange: 0, behindBefore: deadline) == DerivedFlusher.maxChunk)
        #expect(DerivedFlusher.nextChunk(after: DerivedFlusher.maxChunk, oldestChange: deadline, behindBefore: deadline) == DerivedFlusher.chunk)
        #expect(DerivedFlusher.nextChunk(after: 64, oldestChange: nil, behindBefore: deadline) == DerivedFlusher.chunk)
    }
}
