import SluiceCore
import SluiceMongo

/// Tells which duplicates of a batch are the entry's own earlier write, still to be
/// counted: written before a crash kept the entry from being acknowledged (and
/// re-read, or claimed), or stored before the entry was dead-lettered and replayed.
/// Such a document carries the entry's own `receivedAt`; a sender's retry of the
/// event is another request, stamped at another time.
struct EarlierWrites {
    let store: any BatchStore

    /// Entry (`key(of:)`: stream and id, since partitions' streams share ids) → the
    /// `sessionId` its stored document names, for each of `events` (the suspected
    /// duplicates of one collection) whose document is its own earlier write.
    func of(_ events: [EnrichedEvent], in collection: String) throws(BatchFailure) -> [String: String?] {
        guard !events.isEmpty else { return [:] }
        var expected: [String: (entry: String, receivedAt: Int64?)] = [:]
        for event in events {
            let receivedAt: Int64? = if case .int(let ms)? = event.decoded.event["receivedAt"] { ms } else { nil }
            let id = event.kind == .pageview ? event.decoded.event["pageviewId"]?.stringValue ?? event.decoded.id : event.decoded.id
            expected[ScopedID.key(of: event.decoded, id: id)] = (Self.key(of: event.decoded.message), receivedAt)
        }
        let ids = JSONWriter.string(of: .array(expected.keys.sorted().map(JSONValue.string)))
        let stored: [String]
        do {
            stored = try store.documents(in: collection, matching: #"{"_id": {"$in": \#(ids)}}"#)
        } catch {
            throw BatchFailure(error)
        }
        var own: [String: String?] = [:]
        for text in stored {
            guard let document = try? JSONParser.parse(text).objectValue, let id = document["_id"]?.stringValue, let wanted = expected[id],
                let receivedAt = wanted.receivedAt, StoredFields.date(document["receivedAt"]) == String(receivedAt)
            else { continue }
            own[wanted.entry] = .some(document["sessionId"]?.stringValue)
        }
        return own
    }

    /// An entry's key in `of`'s answer.
    static func key(of message: StreamMessage) -> String { message.stream + " " + message.id }
}
