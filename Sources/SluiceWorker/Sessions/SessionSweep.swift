import FoundationEssentials
import SluiceCore
import SluiceMongo

/// Closes sessions idle past the timeout whose visitor never came back (so no new
/// session closed them): `endTime` = their `lastActivity`. Any worker may run it;
/// each close is conditional on the session being unchanged, so runs can overlap.
struct SessionSweep {
    let store: MongoStore
    let timeoutSeconds: Int

    /// Closes up to `limit` idle sessions; returns how many.
    func run(limit: Int = 1000) throws(MongoError) -> Int {
        // Grace for events still in flight when the timeout passes: a minute, or the timeout if shorter.
        let cutoff = Int64(Date().timeIntervalSince1970 * 1000) - Int64(timeoutSeconds + min(60, timeoutSeconds)) * 1000
        let filter = #"{"endTime": null, "lastActivity": {"$lt": {"$date": {"$numberLong": "\#(cutoff)"}}}}"#
        let idle = try store.findCanonicalJSON(collection: StoreCollection.sessions, filterJSON: filter, limit: limit)
        let closes: [BulkOperation] = idle.compactMap { text in
            guard let document = try? JSONParser.parse(text).objectValue, let id = document["_id"]?.stringValue,
                let last = document["lastActivity"]?.objectValue?["$date"]?.objectValue?["$numberLong"]?.stringValue.flatMap({ Int64($0) })
            else { return nil }
            let filter = BSONDocumentBuilder()
            filter.appendString("_id", id)
            filter.appendNull("endTime")
            filter.appendDate("lastActivity", millisecondsSince1970: last)
            let update = BSONDocumentBuilder()
            update.appendDocument("$set") { $0.appendDate("endTime", millisecondsSince1970: last) }
            return .updateMany(filter: filter, update: update)
        }
        return try store.bulkWrite(collection: StoreCollection.sessions, operations: closes).modified
    }
}
