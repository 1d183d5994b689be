import Testing

@testable import SluiceRollups

@Suite struct TimeHistogramTests {
    @Test func boundsHoldTheirBucket() {
        #expect(TimeHistogram.index(of: 0) == 0)
        #expect(TimeHistogram.index(of: 1) == 0)
        for index in 1...TimeHistogram.lastIndex {
            let bound = TimeHistogram.upperBound(of: index)
            #expect(TimeHistogram.index(of: bound) == index)
            #expect(TimeHistogram.index(of: bound * 1.0001) == min(index + 1, TimeHistogram.lastIndex))
        }
        #expect(TimeHistogram.index(of: 1e12) == TimeHistogram.lastIndex)
        #expect(TimeHistogram.index(of: -5) == 0)
    }

    @Test func percentileIsTheBoundOfItsBucket() {
        let counts = [TimeHistogram.index(of: 100): Int64(50), TimeHistogram.index(of: 1000): 45, TimeHistogram.index(of: 10_000): 5]
        #expect(TimeHistogram.percentile(0.5, of: counts) == TimeHistogram.upperBound(of: TimeHistogram.index(of: 100)))
        #expect(TimeHistogram.percentile(0.95, of: counts) == TimeHistogram.upperBound(of: TimeHistogram.index(of: 1000)))
        #expect(TimeHistogram.percentile(0.99, of: counts) == TimeHistogram.upperBound(of: TimeHistogram.index(of: 10_000)))
        #expect(TimeHistogram.percentile(0.5, of: [:]) == nil)
    }
}
