import SluiceCore

/// One consumer of a stream's group, as `XINFO CONSUMERS <stream> <group>` describes it:
/// the one decoder of that reply for the worker, sluicectl and the tests.
public struct StreamConsumerInfo: Sendable, Equatable {
    public let name: String
    /// Entries delivered to the consumer and not acknowledged.
    public let pending: Int64
    /// Milliseconds since the consumer last read or claimed.
    public let idleMilliseconds: Int64

    public init(name: String, pending: Int64, idleMilliseconds: Int64) {
        self.name = name
        self.pending = pending
        self.idleMilliseconds = idleMilliseconds
    }

    /// The command asking for the consumers of `stream`'s workers' group.
    public static func command(stream: String, group: String = StreamLayout.group) -> RedisCommand {
        RedisCommand("XINFO", "CONSUMERS", stream, group)
    }

    /// Every consumer of an `XINFO CONSUMERS` reply; none for an error reply (no such
    /// stream or group), and no consumer whose name, pending count or idle time is missing:
    /// a count read as 0 would let the departed-consumer sweep delete entries still pending.
    public static func consumers(in reply: RedisReply) -> [StreamConsumerInfo] {
        guard reply.errorMessage == nil else { return [] }
        return (reply.elements ?? []).map(\.fieldMap).compactMap { fields in
            guard let name = fields["name"]?.text, let pending = fields["pending"]?.integer, let idle = fields["idle"]?.integer else { return nil }
            return StreamConsumerInfo(name: name, pending: pending, idleMilliseconds: idle)
        }
    }
}
