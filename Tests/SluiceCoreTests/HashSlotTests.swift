import Testing

@testable import SluiceCore

/// Redis Cluster's key → slot function, against the values the cluster specification
/// and `CLUSTER KEYSLOT` give, and the spread partition tags built on it.
@Suite struct HashSlotTests {
    @Test func crc16IsTheXmodemVariantTheSpecificationNames() {
        #expect(HashSlot.crc16(Array("123456789".utf8)[...]) == 0x31C3)
    }

    @Test func slotsMatchClusterKeyslot() {
        // Values from `CLUSTER KEYSLOT` on Redis 7.
        #expect(HashSlot.of("foo") == 12182)
        #expect(HashSlot.of(StreamLayout.streamKey(partition: 0)) == HashSlot.of("0"))
        #expect(HashSlot.of("{user1000}.following") == HashSlot.of("{user1000}.followers"))
    }

    @Test func onlyTheFirstNonEmptyBracePairIsATag() {
        #expect(HashSlot.of("foo{}{bar}") == HashSlot.of(keyBytes: Array("foo{}{bar}".utf8)[...]))
        #expect(HashSlot.of("foo{}{bar}") != HashSlot.of("bar"), "an empty first tag means the whole key is hashed")
        #expect(HashSlot.of("foo{{bar}}zap") == HashSlot.of("{bar"))
        #expect(HashSlot.of("foo{bar}{zap}") == HashSlot.of("bar"))
        #expect(HashSlot.of("no tag{") == HashSlot.of(bytes: Array("no tag{".utf8)[...]))
    }

    @Test func spreadTagsPutEachPartitionInItsShareOfTheSlots() throws {
        for partitions in [1, 3, 4, 6, 16, 100] {
            let tags = try #require(StreamLayout.PartitionTags.spread(partitions: partitions).tags())
            #expect(tags.count == partitions && Set(tags).count == partitions)
            for (partition, tag) in tags.enumerated() {
                #expect(tag.hasPrefix("\(partition)."))
                let slot = HashSlot.of(tag)
                #expect(
                    slot >= partition * HashSlot.count / partitions && slot < (partition + 1) * HashSlot.count / partitions,
                    "partition \(partition) of \(partitions): tag \(tag), slot \(slot)")
            }
        }
        #expect(StreamLayout.PartitionTags.numbered.tags() == nil)
    }

    @Test func spreadTagsShareOutPartitionsEvenlyOverMastersWithEqualRanges() throws {
        // The ranges `redis-cli --cluster create` gives three masters.
        let masters = [0...5460, 5461...10922, 10923...16383]
        for partitions in [3, 4, 6, 8, 12] {
            let tags = try #require(StreamLayout.PartitionTags.spread(partitions: partitions).tags())
            let perMaster = masters.map { range in tags.filter { range.contains(HashSlot.of($0)) }.count }
            #expect(perMaster.max()! - perMaster.min()! <= 1, "\(partitions) partitions: \(perMaster)")
        }
    }
}
