/// A stream as `XINFO STREAM <stream>` describes it, only what Sluice reads: the one
/// decoder of that reply.
public struct StreamInfo: Sendable, Equatable {
    /// The id of the last entry ever appended (it may have been trimmed or deleted since);
    /// `0-0` for a stream that never had one.
    public let lastGeneratedID: StreamID

    public init(lastGeneratedID: StreamID) {
        self.lastGeneratedID = lastGeneratedID
    }

    /// The command asking about `stream`.
    public static func command(stream: String) -> RedisCommand {
        RedisCommand("XINFO", "STREAM", stream)
    }

    /// The stream an `XINFO STREAM` reply describes; nil for an error reply (no such key,
    /// not a stream) or a reply without a readable `last-generated-id`.
    public static func decode(_ reply: RedisReply) -> StreamInfo? {
        guard reply.errorMessage == nil, let last = reply.fieldMap["last-generated-id"]?.text.flatMap(StreamID.init) else { return nil }
        return StreamInfo(lastGeneratedID: last)
    }
}
