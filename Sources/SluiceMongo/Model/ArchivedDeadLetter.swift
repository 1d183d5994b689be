import SluiceCore

/// A dead letter moved out of the `events:dead` stream into the `deadletters` collection.
///
/// The document keeps the stream entry's fields under their own names (the original
/// `v` and `e`, then `DeadLetterEntry`'s `reason`, `stream`, `entryId`, `deliveries`, `failedAt`) and is keyed
/// by the letter's `events:dead` entry id, so moving the same letter twice is a
/// duplicate-key no-op. `deliveries` becomes an integer and `failedAt` a date when they
/// read back to the same text; every other value is a string, or binary when it is not UTF-8.
public struct ArchivedDeadLetter: Sendable, Equatable {
    /// The collection the letters move to.
    public static let collection = StoreCollection.deadLetters

    /// One field of the letter, its value as the stream held it.
    public struct Field: Sendable, Equatable {
        /// The field's name in the stream entry (and in the document).
        public var name: String
        /// The value's bytes.
        public var value: [UInt8]

        /// Creates a field.
        public init(name: String, value: [UInt8]) {
            self.name = name
            self.value = value
        }
    }

    /// The `events:dead` entry id: the document's `_id`.
    public var id: String
    /// Every field, in entry order.
    public var fields: [Field]

    /// Creates a letter.
    public init(id: String, fields: [Field]) {
        self.id = id
        self.fields = fields
    }

    /// The document stored in `deadletters`.
    public var document: BSONDocumentBuilder {
        let document = BSONDocumentBuilder()
        document.appendString("_id", id)
        for field in fields {
            let text = String(validating: field.value, as: UTF8.self)
            if field.name == DeadLetterEntry.Field.deliveries.rawValue, let text, let count = Int64(text), String(count) == text {
                document.appendInt64(field.name, count)
            } else if field.name == DeadLetterEntry.Field.failedAt.rawValue, let text, let milliseconds = Timestamp.parseISO8601(text),
                Timestamp.iso8601(milliseconds: milliseconds) == text
            {
                document.appendDate(field.name, millisecondsSince1970: milliseconds)
            } else if let text {
                document.appendString(field.name, text)
            } else {
                document.appendBinary(field.name, field.value)
            }
        }
        return document
    }
}
