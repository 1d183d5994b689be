import SluiceCore
import SluiceRedis
import Testing

/// The stream contract's decoders, shared by ingest, the worker, sluicectl and the tests.
@Suite struct StreamContractTests {
    @Test func streamIDsCompareAsRedisOrdersThem() throws {
        let ids = try ["10-0", "9-5", "10-1", "9-12"].map { try #require(StreamID($0)) }.sorted()
        #expect(ids.map(\.description) == ["9-5", "9-12", "10-0", "10-1"])
        #expect(StreamID("abc") == nil && StreamID("1") == nil && StreamID("1-") == nil && StreamID("-") == nil)
        #expect(StreamID(milliseconds: 7, sequence: .max).successor == StreamID("8-0"))
    }

    @Test func xinfoGroupsRepliesDecodeWithTheWorkersGroupPicked() {
        func group(_ name: String, pending: Int64, lag: RedisReply, delivered: String) -> RedisReply {
            .array([
                .string(Array("name".utf8)), .string(Array(name.utf8)), .string(Array("consumers".utf8)), .integer(2),
                .string(Array("pending".utf8)), .integer(pending), .string(Array("last-delivered-id".utf8)), .string(Array(delivered.utf8)),
                .string(Array("entries-read".utf8)), .integer(40), .string(Array("lag".utf8)), lag,
            ])
        }
        let reply = RedisReply.array([group("audit", pending: 1, lag: .integer(9), delivered: "5-0"), group(StreamLayout.group, pending: 3, lag: .null, delivered: "12-4")])
        let groups = StreamGroupInfo.groups(in: reply)
        #expect(groups.map(\.name) == ["audit", StreamLayout.group])
        #expect(groups[0] == StreamGroupInfo(name: "audit", pending: 1, lag: 9, lastDeliveredID: StreamID("5-0")))
        // Redis answers a nil lag when it cannot tell: kept as unknown, never as 0.
        #expect(StreamGroupInfo.workers(in: reply) == StreamGroupInfo(name: StreamLayout.group, pending: 3, lag: nil, lastDeliveredID: StreamID("12-4")))
        #expect(StreamGroupInfo.groups(in: .error("ERR no such key")).isEmpty && StreamGroupInfo.workers(in: .array([])) == nil)
    }

    @Test func drainRatesRoundTripAndRefuseAnythingElse() {
        let entry = DrainRateEntry(perSecond: 1200, at: 1_764_633_600_000)
        #expect(entry.value == "1200:1764633600000" && DrainRateEntry(entry.value) == entry)
        #expect(DrainRateEntry("1200") == nil && DrainRateEntry("x:1") == nil && DrainRateEntry("1:2:3") == nil)
    }
}
