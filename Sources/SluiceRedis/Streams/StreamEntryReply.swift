/// One stream entry as Redis answers it, `[id, [field, value, ...]]`: the one decoder
/// of `XRANGE`, `XREVRANGE`, `XREADGROUP` and `XAUTOCLAIM` entries.
public struct StreamEntryReply: Sendable, Equatable {
    /// One field of an entry, in the order it was written.
    public struct Field: Sendable, Equatable {
        public let name: String
        public let value: [UInt8]

        public init(name: String, value: [UInt8]) {
            self.name = name
            self.value = value
        }
    }

    public let id: StreamID
    /// The entry's fields; nil when it was deleted while pending (`XREADGROUP` of
    /// pending entries and `XAUTOCLAIM` before Redis 7 answer a null).
    public let fields: [Field]?

    public init(id: StreamID, fields: [Field]?) {
        self.id = id
        self.fields = fields
    }

    /// The value of field `name`, if the entry has it.
    public func value(_ name: String) -> [UInt8]? { fields?.first { $0.name == name }?.value }

    /// The entries of an `XRANGE` or `XREVRANGE` reply (`command` names it in errors).
    public static func entries(in reply: RedisReply, command: String = "XRANGE") throws(RedisError) -> [StreamEntryReply] {
        guard let items = reply.elements, reply.errorMessage == nil else { throw .unexpectedReply(command: command, reply: "\(reply)") }
        return try items.map { item throws(RedisError) in try entry(item, command: command) }
    }

    /// The entries per stream of an `XREADGROUP` or `XREAD` reply, `[[stream, entries], ...]`;
    /// none for a null (nothing arrived in time).
    public static func streams(in reply: RedisReply) throws(RedisError) -> [(stream: String, entries: [StreamEntryReply])] {
        guard let streams = reply.elements, reply.errorMessage == nil else { throw .unexpectedReply(command: "XREADGROUP", reply: "\(reply)") }
        return try streams.map { stream throws(RedisError) in
            guard let pair = stream.elements, pair.count == 2, let key = pair[0].text else { throw .unexpectedReply(command: "XREADGROUP", reply: "\(stream)") }
            return (key, try entries(in: pair[1], command: "XREADGROUP"))
        }
    }

    /// An `XAUTOCLAIM` reply: the cursor to continue from (`0-0` once done), the entries
    /// claimed, and the ids of pending entries that no longer exist (Redis 7).
    public static func claimed(in reply: RedisReply) throws(RedisError) -> (next: StreamID, entries: [StreamEntryReply], deleted: [StreamID]) {
        guard let parts = reply.elements, reply.errorMessage == nil, parts.count == 2 || parts.count == 3,
            let next = parts[0].text.flatMap(StreamID.init)
        else { throw .unexpectedReply(command: "XAUTOCLAIM", reply: "\(reply)") }
        let deleted = try (parts.count == 3 ? parts[2].elements ?? [] : []).map { item throws(RedisError) in
            guard let id = item.text.flatMap(StreamID.init) else { throw .unexpectedReply(command: "XAUTOCLAIM", reply: "\(item)") }
            return id
        }
        return (next, try entries(in: parts[1], command: "XAUTOCLAIM"), deleted)
    }

    private static func entry(_ item: RedisReply, command: String) throws(RedisError) -> StreamEntryReply {
        guard let parts = item.elements, parts.count == 2, let id = parts[0].text.flatMap(StreamID.init) else {
            throw .unexpectedReply(command: command, reply: "\(item)")
        }
        if parts[1] == .null { return StreamEntryReply(id: id, fields: nil) }
        guard let items = parts[1].elements, items.count % 2 == 0 else { throw .unexpectedReply(command: command, reply: "\(item)") }
        var fields: [Field] = []
        fields.reserveCapacity(items.count / 2)
        for index in stride(from: 0, to: items.count, by: 2) {
            guard let name = items[index].text, case .string(let value) = items[index + 1] else { throw .unexpectedReply(command: command, reply: "\(item)") }
            fields.append(Field(name: name, value: value))
        }
        return StreamEntryReply(id: id, fields: fields)
    }
}
