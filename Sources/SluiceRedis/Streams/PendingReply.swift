import SluiceCore

/// What `XPENDING <stream> <group>` answers, `[count, smallest id, largest id, [[consumer, count], ...]]`:
/// the one decoder of that summary for the worker, sluicectl and the tests.
public struct PendingSummary: Sendable, Equatable {
    /// Entries delivered to the group and not acknowledged.
    public let count: Int64
    /// The oldest of them; nil when none is pending.
    public let oldest: StreamID?

    public init(count: Int64, oldest: StreamID?) {
        self.count = count
        self.oldest = oldest
    }

    /// The command asking for the workers' group's summary of `stream`.
    public static func command(stream: String, group: String = StreamLayout.group) -> RedisCommand {
        RedisCommand("XPENDING", stream, group)
    }

    /// The summary in `reply`; an error reply (no such stream or group) throws.
    public static func decode(_ reply: RedisReply) throws(RedisError) -> PendingSummary {
        if let message = reply.errorMessage { throw .commandFailed(command: "XPENDING", message: message) }
        guard let items = reply.elements, let count = items.first?.integer else { throw .unexpectedReply(command: "XPENDING", reply: "\(reply)") }
        return PendingSummary(count: count, oldest: items.count > 1 ? items[1].text.flatMap(StreamID.init) : nil)
    }
}

/// One entry of `XPENDING <stream> <group> <start> <end> <count>`,
/// `[id, consumer, idle ms, deliveries]`: who holds it and how often it was delivered.
public struct PendingEntry: Sendable, Equatable {
    public let id: StreamID
    public let consumer: String
    public let idleMilliseconds: Int64
    /// Times the entry has been delivered (read or claimed), at least 1.
    public let deliveries: Int64

    public init(id: StreamID, consumer: String, idleMilliseconds: Int64, deliveries: Int64) {
        self.id = id
        self.consumer = consumer
        self.idleMilliseconds = idleMilliseconds
        self.deliveries = deliveries
    }

    /// The command asking whether entry `id` of `stream` is pending in the workers' group.
    public static func command(stream: String, id: String, group: String = StreamLayout.group) -> RedisCommand {
        RedisCommand("XPENDING", stream, group, id, id, "1")
    }

    /// The entries in `reply` (none: not pending); an error reply throws.
    public static func entries(in reply: RedisReply) throws(RedisError) -> [PendingEntry] {
        if let message = reply.errorMessage { throw .commandFailed(command: "XPENDING", message: message) }
        guard let items = reply.elements else { throw .unexpectedReply(command: "XPENDING", reply: "\(reply)") }
        return try items.map { item throws(RedisError) in
            guard let fields = item.elements, fields.count >= 4, let id = fields[0].text.flatMap(StreamID.init), let consumer = fields[1].text,
                let idle = fields[2].integer, let deliveries = fields[3].integer
            else { throw .unexpectedReply(command: "XPENDING", reply: "\(item)") }
            return PendingEntry(id: id, consumer: consumer, idleMilliseconds: idle, deliveries: deliveries)
        }
    }
}
