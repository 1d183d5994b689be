import SluiceRedis

/// One entry read from a partition stream.
package struct StreamMessage: Sendable {
    /// The stream key, e.g. `events:{2}`.
    let stream: String
    /// The entry id, e.g. `1795610095250-0`.
    let id: String
    /// The entry's fields; nil when the entry was deleted while pending.
    let fields: [String: [UInt8]]?

    /// An entry of `stream` with `id` and `fields` (nil: deleted while pending).
    package init(stream: String, id: String, fields: [String: [UInt8]]?) {
        self.stream = stream
        self.id = id
        self.fields = fields
    }
}

extension StreamMessage {
    /// The message of a decoded entry of `stream`; a later field of the same name wins.
    init(stream: String, entry: StreamEntryReply) {
        let fields = entry.fields.map { fields in Dictionary(fields.map { ($0.name, $0.value) }, uniquingKeysWith: { $1 }) }
        self.init(stream: stream, id: entry.id.description, fields: fields)
    }
}
