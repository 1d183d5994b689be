import SluiceCore
import SluiceRedis
import Testing

/// The `XINFO CONSUMERS` and `XINFO STREAM` decoders: hand-built replies in the shapes
/// Redis 7 sends, then the replies a real Redis sends.
@Suite struct StreamInfoTests {
    private func text(_ value: String) -> RedisReply { .string(Array(value.utf8)) }

    @Test func xinfoConsumersRepliesDecodeNamePendingAndIdle() {
        func consumer(_ name: String, pending: Int64, idle: Int64) -> RedisReply {
            .array([text("name"), text(name), text("pending"), .integer(pending), text("idle"), .integer(idle), text("inactive"), .integer(idle)])
        }
        let reply = RedisReply.array([consumer("worker-a", pending: 2, idle: 10), consumer("worker-b", pending: 0, idle: 90_000)])
        #expect(
            StreamConsumerInfo.consumers(in: reply) == [
                StreamConsumerInfo(name: "worker-a", pending: 2, idleMilliseconds: 10),
                StreamConsumerInfo(name: "worker-b", pending: 0, idleMilliseconds: 90_000),
            ])
        // No such stream or group: an error reply, decoded as no consumers; a consumer without a name,
        // a pending count or an idle time is left out (never taken for one holding nothing).
        #expect(StreamConsumerInfo.consumers(in: .error("NOGROUP No such key 'events:{0}' or consumer group 'workers'")).isEmpty)
        #expect(StreamConsumerInfo.consumers(in: .array([.array([text("pending"), .integer(1), text("idle"), .integer(5)])])).isEmpty)
        #expect(StreamConsumerInfo.consumers(in: .array([.array([text("name"), text("gone"), text("idle"), .integer(90_000)])])).isEmpty)
        #expect(StreamConsumerInfo.consumers(in: .array([.array([text("name"), text("gone"), text("pending"), .integer(0)])])).isEmpty)
    }

    @Test func xinfoStreamRepliesDecodeTheLastGeneratedID() {
        let reply = RedisReply.array([
            text("length"), .integer(2), text("radix-tree-keys"), .integer(1), text("radix-tree-nodes"), .integer(2),
            text("last-generated-id"), text("7-3"), text("max-deleted-entry-id"), text("7-3"), text("entries-added"), .integer(3),
            text("recorded-first-entry-id"), text("5-0"), text("groups"), .integer(1),
            text("first-entry"), .array([text("5-0"), .array([text("v"), text("1")])]), text("last-entry"),
            .array([text("6-0"), .array([text("v"), text("1")])]),
        ])
        #expect(StreamInfo.decode(reply) == StreamInfo(lastGeneratedID: StreamID(milliseconds: 7, sequence: 3)))
        #expect(StreamInfo.decode(.error("ERR no such key")) == nil)
        #expect(StreamInfo.decode(.array([text("length"), .integer(0), text("last-generated-id"), text("later")])) == nil)
    }

    @Test func realXinfoRepliesDecode() throws {
        let redis = try RedisTestDatabase.fresh()
        let stream = try redis.streamWithGroup(ids: ["1-1", "1-2", "2-0"])
        try redis.run("XREADGROUP", "GROUP", StreamLayout.group, "c1", "COUNT", "2", "STREAMS", stream, ">")
        try redis.run("XREADGROUP", "GROUP", StreamLayout.group, "c2", "COUNT", "1", "STREAMS", stream, ">")

        let consumers = StreamConsumerInfo.consumers(in: try redis.connection.send(StreamConsumerInfo.command(stream: stream)))
        #expect(consumers.map(\.name) == ["c1", "c2"] && consumers.map(\.pending) == [2, 1])
        #expect(consumers.allSatisfy { (0..<60_000).contains($0.idleMilliseconds) }, "\(consumers)")

        // The last id appended stays the last generated one after its entry is deleted.
        try redis.run("XDEL", stream, "2-0")
        #expect(
            StreamInfo.decode(try redis.connection.send(StreamInfo.command(stream: stream)))
                == StreamInfo(lastGeneratedID: StreamID(milliseconds: 2, sequence: 0)))

        // No such stream, or no such group: error replies, decoded as nothing.
        let missing = StreamLayout.streamKey(partition: 1)
        #expect(StreamInfo.decode(try redis.connection.send(StreamInfo.command(stream: missing))) == nil)
        #expect(StreamConsumerInfo.consumers(in: try redis.connection.send(StreamConsumerInfo.command(stream: missing))).isEmpty)
        #expect(StreamConsumerInfo.consumers(in: try redis.connection.send(StreamConsumerInfo.command(stream: stream, group: "nobody"))).isEmpty)
    }
}
