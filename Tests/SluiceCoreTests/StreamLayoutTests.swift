import Testing

import SluiceCore

@Suite("StreamLayout")
struct StreamLayoutTests {
    @Test func keysAndFieldsFollowTheDesign() {
        #expect(StreamLayout.streamKey(partition: 3) == "events:{3}")
        #expect(StreamLayout.streamKey(partition: 0) == "events:{0}")
        #expect(StreamLayout.streamKeys(partitions: 3) == ["events:{0}", "events:{1}", "events:{2}"])
        #expect(StreamLayout.deadLetterStream == "events:dead")
        #expect(StreamLayout.group == "workers")
        #expect(StreamLayout.versionField == "v")
        #expect(StreamLayout.eventField == "e")
    }

    @Test func partitionIsStableAcrossProcesses() {
        // Pinned values: a per-process seeded hash (Hasher) would break these,
        // and with them the per-visitor ordering across ingest replicas.
        #expect(StreamLayout.partition(visitorId: "", partitions: 8) == 6)
        #expect(StreamLayout.partition(visitorId: "a", partitions: 8) == 3)
        #expect(StreamLayout.partition(visitorId: "visitor-1", partitions: 8) == 6)
        #expect(StreamLayout.partition(visitorId: "visitor-1", partitions: 7) == 2)
        #expect(StreamLayout.partition(visitorId: "0a6f1c8e-2f4b-4c1d-9e3a-5b7c8d9e0f12", partitions: 7) == 2)
    }

    @Test func idsDifferingOnlyInHighBitsSpreadOverPowerOfTwoPartitions() {
        // Plain FNV-1a maps "v1" and "v9" (0x31 vs 0x39: same low 3 bits) to one of 8 partitions.
        let partitions = Set((0..<10).map { StreamLayout.partition(visitorId: "v\($0)", partitions: 8) })
        #expect(partitions.count >= 4, "v0…v9 land on only \(partitions.count) of 8 partitions")
    }

    @Test func partitionIsDeterministicAndInRange() {
        var generator = SplitMix64(seed: 7)
        for partitions in [1, 2, 3, 7, 8, 16, 100] {
            for _ in 0..<200 {
                let id = randomVisitorId(using: &generator)
                let p = StreamLayout.partition(visitorId: id, partitions: partitions)
                #expect((0..<partitions).contains(p))
                #expect(StreamLayout.partition(visitorId: id, partitions: partitions) == p)
            }
        }
    }

    @Test func singlePartitionIsAlwaysZero() {
        for id in ["", "a", "visitor-1", String(repeating: "z", count: 500)] {
            #expect(StreamLayout.partition(visitorId: id, partitions: 1) == 0)
        }
        #expect(StreamLayout.partition(visitorId: "a", partitions: 0) == 0)
    }

    @Test func randomVisitorsSpreadOverEightPartitions() {
        var generator = SplitMix64(seed: 42)
        var counts = Array(repeating: 0, count: 8)
        for _ in 0..<10_000 {
            counts[StreamLayout.partition(visitorId: randomVisitorId(using: &generator), partitions: 8)] += 1
        }
        #expect(counts.allSatisfy { $0 > 500 }, "\(counts)")
    }

    /// A UUID-shaped lowercase id, like the ones ingest puts in the visitor cookie.
    private func randomVisitorId(using generator: inout SplitMix64) -> String {
        let hex = Array("0123456789abcdef")
        var text = ""
        for i in 0..<32 {
            if [8, 12, 16, 20].contains(i) { text.append("-") }
            text.append(hex[Int(generator.next() % 16)])
        }
        return text
    }
}
