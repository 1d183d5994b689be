import SluiceCore

/// One consumer group of a stream, as `XINFO GROUPS <stream>` describes it: the one
/// decoder of that reply for ingest, the worker, sluicectl and the tests.
public struct StreamGroupInfo: Sendable, Equatable {
    public let name: String
    /// Entries delivered to the group and not acknowledged.
    public let pending: Int64
    /// Entries not yet delivered to the group; nil when Redis cannot tell (entries
    /// deleted out of order, or a Redis before 7.0).
    public let lag: Int64?
    /// The last entry delivered to the group; nil when Redis named none it could read.
    public let lastDeliveredID: StreamID?

    public init(name: String, pending: Int64, lag: Int64?, lastDeliveredID: StreamID?) {
        self.name = name
        self.pending = pending
        self.lag = lag
        self.lastDeliveredID = lastDeliveredID
    }

    /// `XINFO GROUPS <stream>`, whose reply `groups(in:)` and `workers(in:)` read.
    public static func command(stream: String) -> RedisCommand { RedisCommand("XINFO", "GROUPS", stream) }

    /// Every group of an `XINFO GROUPS` reply; none for an error reply (no such stream).
    public static func groups(in reply: RedisReply) -> [StreamGroupInfo] {
        guard reply.errorMessage == nil else { return [] }
        return (reply.elements ?? []).map(\.fieldMap).compactMap { fields in
            guard let name = fields["name"]?.text else { return nil }
            return StreamGroupInfo(
                name: name, pending: fields["pending"]?.integer ?? 0, lag: fields["lag"]?.integer,
                lastDeliveredID: fields["last-delivered-id"]?.text.flatMap(StreamID.init))
        }
    }

    /// The workers' group (`StreamLayout.group`) of an `XINFO GROUPS` reply; nil before
    /// any worker created it.
    public static func workers(in reply: RedisReply) -> StreamGroupInfo? {
        groups(in: reply).first { $0.name == StreamLayout.group }
    }
}
