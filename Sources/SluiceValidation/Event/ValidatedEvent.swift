import SluiceCore

/// An event that passed validation, in the canonical form written to the stream.
public struct ValidatedEvent: Sendable {
    /// The event's kind.
    public let kind: EventKind
    /// The event id, which becomes the MongoDB `_id`.
    public let id: String
    /// The visitor the event belongs to (partitions the stream).
    public let visitorId: String
    /// The canonical JSON (`e` of the stream entry).
    public let json: [UInt8]
}
