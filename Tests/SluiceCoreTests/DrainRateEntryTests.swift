import SluiceCore
import Testing

/// The drain rate a worker publishes and ingest reads for `Retry-After`.
@Suite struct DrainRateEntryTests {
    @Test func drainRatesRoundTripAndRefuseAnythingElse() {
        let entry = DrainRateEntry(perSecond: 1200, at: 1_764_633_600_000)
        #expect(entry.value == "1200:1764633600000" && DrainRateEntry(entry.value) == entry)
        #expect(DrainRateEntry("1200") == nil && DrainRateEntry("x:1") == nil && DrainRateEntry("1:2:3") == nil)
        #expect(DrainRateEntry("") == nil && DrainRateEntry(":") == nil && DrainRateEntry("5:") == nil && DrainRateEntry(" 5:1") == nil)
    }
}
