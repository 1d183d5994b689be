import CMongoc
import SluiceCore

extension MongoStore {
    /// Inserts letters into `deadletters` and returns the ids MongoDB now holds (inserted, or
    /// there already from an earlier move) and the ids it refused, with the reason.
    ///
    /// A letter already there is not an error: a worker that crashed after the insert and
    /// before removing the letter from the stream moves it again. Blocking.
    public func archiveDeadLetters(_ letters: [ArchivedDeadLetter]) throws(MongoError) -> (stored: [String], refused: [(id: String, reason: String)]) {
        let outcome = try bulkWrite(collection: ArchivedDeadLetter.collection, operations: letters.map { .insert($0.document) })
        let failed = Dictionary(outcome.failures.map { ($0.index, $0.description) }, uniquingKeysWith: { first, _ in first })
        var stored: [String] = []
        var refused: [(id: String, reason: String)] = []
        for (index, letter) in letters.enumerated() {
            if let reason = failed[index] { refused.append((letter.id, reason)) } else { stored.append(letter.id) }
        }
        return (stored, refused)
    }

    /// Letters of `deadletters` matching `filterJSON`, in the order of `sortJSON`, skipping
    /// `skip` and returning at most `limit` (all when 0). Blocking.
    public func deadLetters(filterJSON: String, sortJSON: String, skip: Int = 0, limit: Int = 0) throws(MongoError) -> [ArchivedDeadLetter] {
        let options = BSONDocumentBuilder()
        options.appendDocument("sort", try BSONDocumentBuilder(json: sortJSON))
        if skip > 0 { options.appendInt64("skip", Int64(skip)) }
        if limit > 0 { options.appendInt64("limit", Int64(limit)) }
        var letters: [ArchivedDeadLetter] = []
        try forEachDocument(collection: ArchivedDeadLetter.collection, filterJSON: filterJSON, options: options) { document in
            letters.append(Self.deadLetter(from: document))
        }
        return letters
    }

    /// Letters of `deadletters` with these ids (those that exist). Blocking.
    public func deadLetters(ids: [String]) throws(MongoError) -> [ArchivedDeadLetter] {
        guard !ids.isEmpty else { return [] }
        return try deadLetters(filterJSON: Self.idFilter(ids), sortJSON: #"{"_id": 1}"#)
    }

    /// Deletes the letters with these ids from `deadletters`; returns how many there were. Blocking.
    public func deleteDeadLetters(ids: [String]) throws(MongoError) -> Int {
        guard !ids.isEmpty else { return 0 }
        let outcome = try bulkWrite(
            collection: ArchivedDeadLetter.collection, operations: [.deleteMany(filter: try BSONDocumentBuilder(json: Self.idFilter(ids)))])
        if let failure = outcome.failures.first {
            throw .commandFailed(operation: "delete", collection: ArchivedDeadLetter.collection, code: failure.code, message: failure.message)
        }
        return outcome.deleted
    }

    /// `{"_id": {"$in": [...]}}`.
    private static func idFilter(_ ids: [String]) -> String {
        JSONWriter.string(of: .object(JSONObject([("_id", .object(JSONObject([("$in", .array(ids.map(JSONValue.string)))])))])))
    }

    /// Reads a `deadletters` document back into the stream entry's text form.
    private static func deadLetter(from document: OpaquePointer) -> ArchivedDeadLetter {
        var letter = ArchivedDeadLetter(id: "", fields: [])
        BSONFieldReader.forEachField(of: document) { field in
            let name = BSONFieldReader.key(field)
            if name == "_id" {
                letter.id = BSONFieldReader.string(field) ?? ""
                return
            }
            let value: [UInt8]
            switch bson_iter_type(field) {
            case BSON_TYPE_UTF8: value = Array((BSONFieldReader.string(field) ?? "").utf8)
            case BSON_TYPE_DATE_TIME: value = Array(Timestamp.iso8601(milliseconds: bson_iter_date_time(field)).utf8)
            case BSON_TYPE_BINARY: value = BSONFieldReader.binary(field)
            default: value = Array(String(BSONFieldReader.int(field)).utf8)
            }
            letter.fields.append(.init(name: name, value: value))
        }
        return letter
    }
}
