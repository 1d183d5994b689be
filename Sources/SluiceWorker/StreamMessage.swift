/// One entry read from a partition stream.
struct StreamMessage: Sendable {
    /// The stream key, e.g. `events:{2}`.
    let stream: String
    /// The entry id, e.g. `1795610095250-0`.
    let id: String
    /// The entry's fields; nil when the entry was deleted while pending.
    let fields: [String: [UInt8]]?
}
