import SluiceCore
import Testing

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

    @Test func aStreamKeysPartitionIsReadFromTheExactKeyOnly() {
        #expect(StreamLayout.partition(ofStreamKey: "events:{0}") == 0 && StreamLayout.partition(ofStreamKey: "events:{12}") == 12)
        for bad in ["events:dead", "events:{}", "events:{01}", "events:{-1}", "events:{+1}", "events:{a}", "other:{1}", "events:{1}x"] {
            #expect(StreamLayout.partition(ofStreamKey: bad) == nil, "\(bad)")
        }
    }

    @Test func derivedKeysNameTheirKindPartitionAndName() {
        #expect(StreamLayout.sessionStateKey(sessionId: "s1", partition: 2) == "ss:{2}:s1")
        #expect(StreamLayout.visitorStateKey(visitorId: "v1", partition: 0) == "vs:{0}:v1")
        #expect(StreamLayout.rollupKey(bucket: "h|2024-05-01T10", partition: 3) == "ru:{3}:h|2024-05-01T10")
        #expect(StreamLayout.rollupVisitorsKey(bucket: "d|2024-05-01", partition: 1) == "rv:{1}:d|2024-05-01")
        #expect(StreamLayout.sessionKey(visitorId: "visitor-1", partitions: 8) == "sess:{6}:visitor-1")
        #expect(StreamLayout.dirtyKey(partition: 5) == "dirty:{5}" && StreamLayout.dirtySequenceKey(partition: 5) == "dirtyseq:{5}")
        #expect(StreamLayout.drainKey == "sluice:drain" && StreamLayout.rateLimitKey("visitor", "v-1") == "rl:visitor:v-1")
        // Every kind reads back from its key, the name too, even when the name holds braces or colons.
        for kind in StreamLayout.DerivedKey.allCases {
            let key = kind.key("a:{b}", partition: 7)
            #expect(StreamLayout.DerivedKey(ofKey: key) == kind && StreamLayout.DerivedKey.name(ofKey: key) == "a:{b}", "\(key)")
        }
        #expect(StreamLayout.DerivedKey(ofKey: StreamLayout.dirtyKey(partition: 0)) == nil && StreamLayout.DerivedKey(ofKey: "plain") == nil)
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
