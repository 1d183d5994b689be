import SluiceCore
import SluiceMongo
import Testing

/// Reads what the worker stored, as canonical extended JSON, so a test sees BSON types.
struct StoredDocuments {
    let store: MongoStore

    init(url: String) throws {
        store = try MongoStore(url: url, appName: "sluice-tests")
    }

    func count(_ collection: String, _ filter: String = "{}") throws -> Int {
        try store.countDocuments(collection: collection, filterJSON: filter)
    }

    func find(_ collection: String, _ filter: String = "{}") throws -> [JSONObject] {
        try store.findCanonicalJSON(collection: collection, filterJSON: filter).map { text in
            try #require(JSONParser.parse(text).objectValue)
        }
    }

    /// The one document with `id`: a session's or visitor's own `_id`, or the id an
    /// event's sender gave it (`eventId`; an event's `_id` is scoped to its sender).
    func one(_ collection: String, id: String) throws -> JSONObject {
        let field = [StoreCollection.sessions, StoreCollection.visitors].contains(collection) ? "_id" : "eventId"
        let found = try find(collection, #"{"\#(field)": "\#(id)"}"#)
        #expect(found.count <= 1, "\(found.count) documents with eventId \(id) in \(collection)")
        return try #require(found.first, "no document \(id) in \(collection)")
    }
}

extension JSONObject {
    /// The epoch milliseconds of a canonical extended JSON date field, nil if the field is not a BSON date.
    func dateMilliseconds(_ key: String) -> Int64? {
        guard let date = self[key]?.objectValue?["$date"]?.objectValue?["$numberLong"]?.stringValue else { return nil }
        return Int64(date)
    }
}
