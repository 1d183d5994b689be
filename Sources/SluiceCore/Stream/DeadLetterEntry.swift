/// What a dead letter in `events:dead` (`StreamLayout.deadLetterStream`) carries after the
/// failed entry's own fields (`v`, `e`, as they were): why the worker gave up on the entry,
/// where it came from, how often it was delivered and when. The worker writes these fields,
/// and sluicectl, the `deadletters` archive and the tests read them. A letter added by hand
/// or by another version may lack any of them, so a decoded letter holds nil for each one missing.
public struct DeadLetterEntry: Sendable, Equatable {
    /// The field names, in the order the worker appends them.
    public enum Field: String, Sendable, CaseIterable {
        /// Why the worker gave up, free text.
        case reason
        /// The partition stream the entry was read from.
        case stream
        /// The entry's id in that stream.
        case entryId
        /// How many times the entry was delivered, in decimal.
        case deliveries
        /// When the worker gave up, ISO 8601 UTC with milliseconds (`Timestamp.iso8601`).
        case failedAt
    }

    public var reason: String?
    public var stream: String?
    public var entryId: String?
    public var deliveries: Int64?
    /// As written: `Timestamp.iso8601` of the moment the worker gave up.
    public var failedAt: String?

    /// A letter's fields as the worker writes them (`failedAt`: epoch ms).
    public init(reason: String, stream: String, entryId: String, deliveries: Int64, failedAt: Int64) {
        self.reason = reason
        self.stream = stream
        self.entryId = entryId
        self.deliveries = deliveries
        self.failedAt = Timestamp.iso8601(milliseconds: failedAt)
    }

    /// Reads the letter's fields out of a whole entry's fields (name, value as stored);
    /// a missing field, or a `deliveries` that is not a number, is nil. The worker writes
    /// the failed entry's own fields first and these after them, so a name that appears
    /// twice counts the last time: an entry carrying a `stream` of its own cannot redirect
    /// where a replay sends it.
    public init(fields: some Sequence<(name: String, value: [UInt8])>) {
        for (name, value) in fields {
            guard let field = Field(rawValue: name) else { continue }
            let text = String(decoding: value, as: UTF8.self)
            switch field {
            case .reason: reason = text
            case .stream: stream = text
            case .entryId: entryId = text
            case .deliveries: deliveries = Int64(text)
            case .failedAt: failedAt = text
            }
        }
    }

    /// The fields to append after the failed entry's own, in `Field` order; a nil one is left out.
    public var fields: [(name: String, value: String)] {
        let values: [(Field, String?)] = [
            (.reason, reason), (.stream, stream), (.entryId, entryId), (.deliveries, deliveries.map(String.init)), (.failedAt, failedAt),
        ]
        return values.compactMap { field, value in value.map { (field.rawValue, $0) } }
    }
}
