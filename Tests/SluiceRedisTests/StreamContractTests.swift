import SluiceCore
import SluiceRedis
import SluiceTestSupport
import Testing

/// The stream contract's decoders, shared by ingest, the worker, sluicectl and the tests:
/// hand-built replies for the shapes Redis may send, then the replies a real Redis sends.
@Suite struct StreamContractTests {
    @Test func streamIDsCompareAsRedisOrdersThem() throws {
        let ids = try ["10-0", "9-5", "10-1", "9-12"].map { try #require(StreamID($0)) }.sorted()
        #expect(ids.map(\.description) == ["9-5", "9-12", "10-0", "10-1"])
        #expect(StreamID("abc") == nil && StreamID("1") == nil && StreamID("1-") == nil && StreamID("-") == nil)
        #expect(StreamID("+") == nil && StreamID("$") == nil && StreamID("-1-0") == nil && StreamID("1-2-3") == nil && StreamID(" 1-2") == nil)
        #expect(StreamID("18446744073709551615-18446744073709551615") == StreamID(milliseconds: .max, sequence: .max))
        #expect(StreamID("18446744073709551616-0") == nil, "past UInt64 is not an id")
        #expect(StreamID(milliseconds: 7, sequence: .max).successor == StreamID("8-0"))
        #expect(StreamID(milliseconds: 7, sequence: 3).successor == StreamID("7-4") && StreamID.zero.description == "0-0")
    }

    @Test func xinfoGroupsRepliesDecodeWithTheWorkersGroupPicked() {
        func group(_ name: String, pending: Int64, lag: RedisReply, delivered: String) -> RedisReply {
            .array([
                .string(Array("name".utf8)), .string(Array(name.utf8)), .string(Array("consumers".utf8)), .integer(2),
                .string(Array("pending".utf8)), .integer(pending), .string(Array("last-delivered-id".utf8)), .string(Array(delivered.utf8)),
                .string(Array("entries-read".utf8)), .integer(40), .string(Array("lag".utf8)), lag,
            ])
        }
        let reply = RedisReply.array([
            group("audit", pending: 1, lag: .integer(9), delivered: "5-0"), group(StreamLayout.group, pending: 3, lag: .null, delivered: "12-4"),
        ])
        let groups = StreamGroupInfo.groups(in: reply)
        #expect(groups.map(\.name) == ["audit", StreamLayout.group])
        #expect(groups[0] == StreamGroupInfo(name: "audit", pending: 1, lag: 9, lastDeliveredID: StreamID("5-0")))
        // Redis answers a nil lag when it cannot tell: kept as unknown, never as 0.
        #expect(StreamGroupInfo.workers(in: reply) == StreamGroupInfo(name: StreamLayout.group, pending: 3, lag: nil, lastDeliveredID: StreamID("12-4")))
        #expect(StreamGroupInfo.groups(in: .error("ERR no such key")).isEmpty && StreamGroupInfo.workers(in: .array([])) == nil)
    }

    @Test func malformedXinfoGroupsRepliesDecodeToNothingRatherThanGuesses() {
        // Not an array, a group without a name, a last-delivered id that is no id.
        #expect(StreamGroupInfo.groups(in: .integer(3)).isEmpty && StreamGroupInfo.groups(in: .status("OK")).isEmpty)
        let nameless = RedisReply.array([.array([.string(Array("pending".utf8)), .integer(4)])])
        #expect(StreamGroupInfo.groups(in: nameless).isEmpty)
        let oddID = RedisReply.array([
            .array([
                .string(Array("name".utf8)), .string(Array(StreamLayout.group.utf8)), .string(Array("last-delivered-id".utf8)), .string(Array("later".utf8)),
            ])
        ])
        #expect(StreamGroupInfo.workers(in: oddID) == StreamGroupInfo(name: StreamLayout.group, pending: 0, lag: nil, lastDeliveredID: nil))
    }

    @Test func realXinfoGroupsRepliesDecodePendingLagAndLastDelivered() throws {
        let redis = try RedisTestDatabase.fresh()
        let stream = try redis.streamWithGroup(ids: ["1-1", "1-2", "2-0", "3-0", "10-0"])
        try redis.run("XGROUP", "CREATE", stream, "audit", "$")
        try redis.run("XREADGROUP", "GROUP", StreamLayout.group, "c1", "COUNT", "2", "STREAMS", stream, ">")

        let reply = try redis.run("XINFO", "GROUPS", stream)
        #expect(StreamGroupInfo.workers(in: reply) == StreamGroupInfo(name: StreamLayout.group, pending: 2, lag: 3, lastDeliveredID: StreamID("1-2")))
        #expect(
            StreamGroupInfo.groups(in: reply).first { $0.name == "audit" }
                == StreamGroupInfo(name: "audit", pending: 0, lag: 0, lastDeliveredID: StreamID("10-0")))

        // An undelivered entry deleted: Redis can no longer count the lag, and says so with a nil.
        try redis.run("XDEL", stream, "3-0")
        #expect(
            try StreamGroupInfo.workers(in: redis.run("XINFO", "GROUPS", stream))
                == StreamGroupInfo(name: StreamLayout.group, pending: 2, lag: nil, lastDeliveredID: StreamID("1-2")))

        // No such stream, or a key that is no stream: error replies, decoded as no groups.
        let missing = try redis.connection.send(StreamGroupInfo.command(stream: StreamLayout.streamKey(partition: 1)))
        try redis.run("SET", "not-a-stream", "1")
        let wrongType = try redis.connection.send(RedisCommand("XINFO", "GROUPS", "not-a-stream"))
        #expect(missing.errorMessage != nil && wrongType.errorMessage != nil)
        #expect(StreamGroupInfo.groups(in: missing).isEmpty && StreamGroupInfo.workers(in: wrongType) == nil)
    }

    @Test func idsRedisAssignsParseAndSortInTheStreamsOrder() throws {
        let redis = try RedisTestDatabase.fresh()
        let stream = StreamLayout.streamKey(partition: 2)
        var assigned: [StreamID] = []
        for _ in 0..<50 {
            let text = try #require(redis.run("XADD", stream, "*", StreamLayout.eventField, "{}").text)
            assigned.append(try #require(StreamID(text), "\(text) does not parse"))
        }
        // Within one millisecond Redis counts the sequence up; the ids still sort as the stream holds them.
        let ranged = try redis.connection.streamEntries(stream).map(\.id)
        #expect(ranged == assigned && assigned.sorted() == assigned && Set(assigned).count == 50)
        // A successor is the exclusive start Redis accepts for the next page.
        let rest = try redis.connection.streamEntries(stream, from: assigned[9].successor.description)
        #expect(rest.count == 40 && rest.first?.id == assigned[10])
    }

    @Test func realXpendingRepliesDecodeSummaryAndEntries() throws {
        let redis = try RedisTestDatabase.fresh()
        let stream = try redis.streamWithGroup(ids: ["1-1", "1-2", "2-0"])
        #expect(try PendingSummary.decode(redis.connection.send(PendingSummary.command(stream: stream))) == PendingSummary(count: 0, oldest: nil))

        try redis.run("XREADGROUP", "GROUP", StreamLayout.group, "c1", "COUNT", "2", "STREAMS", stream, ">")
        try redis.run("XCLAIM", stream, StreamLayout.group, "c2", "0", "1-2")
        #expect(try PendingSummary.decode(redis.connection.send(PendingSummary.command(stream: stream))) == PendingSummary(count: 2, oldest: StreamID("1-1")))
        let claimed = try PendingEntry.entries(in: redis.connection.send(PendingEntry.command(stream: stream, id: "1-2")))
        #expect(claimed.count == 1 && claimed[0].id == StreamID("1-2") && claimed[0].consumer == "c2" && claimed[0].deliveries == 2)
        #expect(try PendingEntry.entries(in: redis.connection.send(PendingEntry.command(stream: stream, id: "2-0"))).isEmpty, "never delivered: not pending")

        // No such group: an error the caller sees, not an empty answer.
        #expect(throws: RedisError.self) { try PendingSummary.decode(redis.connection.send(PendingSummary.command(stream: stream, group: "nobody"))) }
        #expect(throws: RedisError.self) { try PendingEntry.entries(in: .array([.array([.string(Array("1-1".utf8))])])) }
    }
}
