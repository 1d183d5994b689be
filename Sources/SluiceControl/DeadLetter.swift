import SluiceCore
import SluiceMongo
import SluiceRedis

/// Where a dead letter lives: the `events:dead` stream, or MongoDB's `deadletters`
/// once the worker moved it there past the stream's bound.
enum DeadLetterPlace {
    case stream
    case archive

    /// The stream's key or the collection's name, as each owner spells it.
    var rawValue: String {
        switch self {
        case .stream: StreamLayout.deadLetterStream
        case .archive: StoreCollection.deadLetters
        }
    }
}

/// One dead letter: the original entry's fields (`v`, `e`) plus the ones the worker
/// added (`DeadLetterEntry`).
struct DeadLetter {
    /// The entry id in `events:dead` (kept as the `_id` when the letter moved to MongoDB).
    let id: String
    /// Every field in entry order, values as stored.
    let fields: [(name: String, value: [UInt8])]
    /// The fields the worker added, decoded.
    let added: DeadLetterEntry
    /// Where the letter is now.
    var place = DeadLetterPlace.stream

    /// The letter of one decoded XRANGE entry of `events:dead`.
    init(entry: StreamEntryReply) {
        self.init(id: entry.id.description, fields: (entry.fields ?? []).map { ($0.name, $0.value) })
    }

    init(id: String, fields: [(name: String, value: [UInt8])], place: DeadLetterPlace = .stream) {
        self.id = id
        self.fields = fields
        self.added = DeadLetterEntry(fields: fields)
        self.place = place
    }

    /// A letter read from `deadletters`.
    init(archived: ArchivedDeadLetter) {
        self.init(id: archived.id, fields: archived.fields.map { ($0.name, $0.value) }, place: .archive)
    }

    /// The raw value of a field, if the entry has it.
    func value(_ name: String) -> [UInt8]? { fields.first { $0.name == name }?.value }

    /// A field as UTF-8 text, if the entry has it.
    func text(_ name: String) -> String? { value(name).map { String(decoding: $0, as: UTF8.self) } }

    var reason: String { added.reason ?? "" }
    var stream: String? { added.stream }
    var entryId: String? { added.entryId }
    var deliveries: Int64? { added.deliveries }
    var failedAt: String? { added.failedAt }

    /// `e` parsed as JSON, or the parser's complaint.
    var event: Result<JSONValue, JSONParseError>? {
        value(StreamLayout.eventField).map { bytes in Result { () throws(JSONParseError) in try JSONParser.parse(bytes) } }
    }

    /// The event's `type` when `e` is a parseable object.
    var eventType: String? { eventObject?["type"]?.stringValue }
    /// The event's `id` (its MongoDB `_id`) when `e` is a parseable object.
    var eventId: String? { eventObject?["id"]?.stringValue }

    private var eventObject: JSONObject? {
        guard case .success(let value)? = event else { return nil }
        return value.objectValue
    }

    /// Whether `reason` contains `filter`, ignoring case; a nil filter matches everything.
    func matches(reason filter: String?) -> Bool {
        guard let filter else { return true }
        return reason.lowercased().contains(filter.lowercased())
    }

    /// Why this letter cannot go back to its stream, or nil if it can.
    ///
    /// Only a partition the workers read is a safe target: replaying into any other
    /// key would strand the event where nothing consumes it.
    func replayProblem(partitions: Int) -> String? {
        guard let stream else { return "no stream field" }
        guard let partition = StreamLayout.partition(ofStreamKey: stream) else { return "stream \"\(stream)\" is not an events:{p} partition" }
        guard partition < partitions else {
            return "stream \(stream) is not one of the \(partitions) partitions (set --partitions or SLUICE_PARTITIONS)"
        }
        guard value(StreamLayout.versionField) != nil else { return "no \(StreamLayout.versionField) field" }
        guard value(StreamLayout.eventField) != nil else { return "no \(StreamLayout.eventField) field" }
        return nil
    }

    /// Whether `text` is a stream entry id, `<ms>-<seq>`.
    static func isValidID(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        return parts.count == 2
            && parts.allSatisfy { part in
                !part.isEmpty && part.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) } && UInt64(part) != nil
            }
    }
}
