import SluiceCore
import Testing

@Suite("Duration.inSeconds")
struct DurationSecondsTests {
    @Test func addsTheFractionToTheWholeSeconds() {
        #expect(Duration.milliseconds(1500).inSeconds == 1.5)
        #expect(Duration.microseconds(250).inSeconds == 0.000_25)
        #expect(Duration.seconds(3).inSeconds == 3)
        #expect(Duration.zero.inSeconds == 0)
    }

    @Test func keepsTheSignOfANegativeDuration() {
        #expect(Duration.milliseconds(-1500).inSeconds == -1.5)
    }
}
