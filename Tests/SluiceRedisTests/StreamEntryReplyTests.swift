import SluiceCore
import SluiceRedis
import Testing

/// The entry decoder on the replies a real Redis sends to XRANGE, XREADGROUP and
/// XAUTOCLAIM, and typed errors for replies of any other shape.
@Suite struct StreamEntryReplyTests {
    @Test func xrangeEntriesKeepTheirIdsAndFieldsInOrder() throws {
        let redis = try RedisTestDatabase.fresh()
        let stream = StreamLayout.streamKey(partition: 1)
        try redis.run("XADD", stream, "5-1", StreamLayout.versionField, StreamLayout.schemaVersion, StreamLayout.eventField, #"{"id":"a"}"#)
        try redis.run("XADD", stream, "7-0", StreamLayout.eventField, #"{"id":"b"}"#, "extra", "")
        let entries = try StreamEntryReply.entries(in: redis.run("XRANGE", stream, "-", "+"))
        #expect(entries.map(\.id) == ids("5-1", "7-0"))
        #expect(entries[0].fields?.map(\.name) == [StreamLayout.versionField, StreamLayout.eventField])
        #expect(entries[0].value(StreamLayout.eventField) == Array(#"{"id":"a"}"#.utf8) && entries[1].value(StreamLayout.versionField) == nil)
        #expect(entries[1].value("extra") == [])
        #expect(try StreamEntryReply.entries(in: redis.run("XREVRANGE", stream, "+", "-"), command: "XREVRANGE").map(\.id) == entries.map(\.id).reversed())
        #expect(try StreamEntryReply.entries(in: redis.run("XRANGE", StreamLayout.streamKey(partition: 2), "-", "+")).isEmpty)
    }

    @Test func xreadgroupAndXautoclaimRepliesDecodeWithDeletedEntriesSaidSo() throws {
        let redis = try RedisTestDatabase.fresh()
        let stream = StreamLayout.streamKey(partition: 0)
        for id in ["1-0", "2-0", "3-0"] { try redis.run("XADD", stream, id, StreamLayout.eventField, id) }
        try redis.run("XGROUP", "CREATE", stream, StreamLayout.group, "0")
        let read = try StreamEntryReply.streams(in: redis.run("XREADGROUP", "GROUP", StreamLayout.group, "c1", "COUNT", "10", "STREAMS", stream, ">"))
        #expect(read.map(\.stream) == [stream] && read.first?.entries.map(\.id) == ids("1-0", "2-0", "3-0"))
        #expect(read.first?.entries.last?.value(StreamLayout.eventField) == Array("3-0".utf8))

        // Deleted while pending: re-read from the pending list it has no fields.
        try redis.run("XDEL", stream, "2-0")
        let pending = try StreamEntryReply.streams(in: redis.run("XREADGROUP", "GROUP", StreamLayout.group, "c1", "STREAMS", stream, "0"))
        #expect(pending.first?.entries.map { $0.fields == nil } == [false, true, false])

        // Another consumer claims them: the deleted one comes back as a deleted id (Redis 7).
        let claimed = try StreamEntryReply.claimed(in: redis.run("XAUTOCLAIM", stream, StreamLayout.group, "c2", "0", "0-0"))
        #expect(claimed.next == .zero && claimed.entries.map(\.id) == ids("1-0", "3-0") && claimed.deleted == ids("2-0"))

        // Nothing new before the timeout: a null, read as no streams.
        #expect(try StreamEntryReply.streams(in: redis.run("XREADGROUP", "GROUP", StreamLayout.group, "c1", "BLOCK", "1", "STREAMS", stream, ">")).isEmpty)
    }

    private func ids(_ texts: String...) -> [StreamID] { texts.compactMap(StreamID.init) }

    @Test func repliesOfAnyOtherShapeAreUnexpectedReplyErrors() {
        func text(_ value: String) -> RedisReply { .string(Array(value.utf8)) }
        let malformed: [(String, () throws(RedisError) -> Void)] = [
            ("an error", { () throws(RedisError) in _ = try StreamEntryReply.entries(in: .error("WRONGTYPE Operation against a key")) }),
            ("an integer", { () throws(RedisError) in _ = try StreamEntryReply.entries(in: .integer(3)) }),
            ("an id that is no id", { () throws(RedisError) in _ = try StreamEntryReply.entries(in: .array([.array([text("later"), .array([])])])) }),
            (
                "a field without a value",
                { () throws(RedisError) in _ = try StreamEntryReply.entries(in: .array([.array([text("1-0"), .array([text("e")])])])) }
            ),
            (
                "a value that is no string",
                { () throws(RedisError) in _ = try StreamEntryReply.entries(in: .array([.array([text("1-0"), .array([text("e"), .integer(1)])])])) }
            ),
            (
                "a stream without entries",
                { () throws(RedisError) in _ = try StreamEntryReply.streams(in: .array([.array([text(StreamLayout.streamKey(partition: 0))])])) }
            ),
            ("a claim without a cursor", { () throws(RedisError) in _ = try StreamEntryReply.claimed(in: .array([.array([])])) }),
            (
                "a deleted id that is no id",
                { () throws(RedisError) in _ = try StreamEntryReply.claimed(in: .array([text("0-0"), .array([]), .array([text("x")])])) }
            ),
        ]
        for (name, decode) in malformed {
            do {
                try decode()
                Issue.record("\(name) decoded")
            } catch {
                guard case .unexpectedReply = error else {
                    Issue.record("\(name): \(error)")
                    continue
                }
            }
        }
    }
}
