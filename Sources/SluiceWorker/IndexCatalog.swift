import SluiceCore
import SluiceMongo
import SluiceRollups

/// The indexes the worker ensures at start: time, visitor and session on every
/// event collection, plus the fields the seed's queries filter or group on, plus
/// each collection's age index, which `SLUICE_RETENTION` turns into a TTL index.
enum IndexCatalog {
    static let eventCollections = StoreCollection.events

    /// Every index except the age indexes; none of these depends on the configuration.
    static let indexes: [(String, [IndexSpec])] =
        eventCollections.map { collection in
            (collection, common + (seedQueryFields[collection] ?? []).map { IndexSpec(name: "\($0)_1", keys: [IndexKey($0)]) })
        } + [
            // The dashboard's user-journey search finds visitors by a user id.
            (
                StoreCollection.visitors,
                [IndexSpec(name: "firstVisit_1", keys: [IndexKey("firstVisit")]), IndexSpec(name: "userIds_1", keys: [IndexKey("userIds")])]
            ),
            (
                StoreCollection.sessions,
                [
                    IndexSpec(name: "visitorId_1", keys: [IndexKey("visitorId")]),
                    IndexSpec(name: "endTime_1_lastActivity_1", keys: [IndexKey("endTime"), IndexKey("lastActivity")]),
                ]
            ),
            // A dashboard reads one site's hours or days of a range.
            (
                RollupDocument.collection,
                [
                    IndexSpec(name: "site_1_granularity_1_start_1", keys: [IndexKey("site"), IndexKey("granularity"), IndexKey("start")])
                ]
            ),
            // `sluicectl dead list` reads the newest moved letters first.
            (ArchivedDeadLetter.collection, [IndexSpec(name: "failedAt_1", keys: [IndexKey(DeadLetterEntry.Field.failedAt.rawValue)])]),
        ]

    private static let common = [
        // The id a sender gave its event: `_id` is scoped to the sender (`ScopedID`).
        IndexSpec(name: "eventId_1", keys: [IndexKey("eventId")]),
        IndexSpec(name: "visitorId_1", keys: [IndexKey("visitorId")]),
        IndexSpec(name: "sessionId_1", keys: [IndexKey("sessionId")]),
    ]

    private static let seedQueryFields: [String: [String]] = [
        EventKind.pageview.collection: ["path"],
        EventKind.chat.collection: ["agentId"],
        EventKind.tool.collection: ["toolName"],
        EventKind.lab.collection: ["experimentName"],
        EventKind.event.collection: ["eventType", "eventName"],
        EventKind.api.collection: ["endpoint"],
    ]

    /// The date that ages a document: an event's time, a session's last activity, a visitor's last visit
    /// (so a visitor unseen for the retention period goes, while one who keeps coming back stays).
    static func ageField(of collection: String) -> String {
        switch collection {
        case StoreCollection.sessions: "lastActivity"
        case StoreCollection.visitors: "lastVisit"
        default: "timestamp"
        }
    }

    /// One single-field index on each collection's age field (`timestamp_1`, `lastActivity_1`,
    /// `lastVisit_1`): a TTL index when the policy gives the collection days, a plain one otherwise.
    ///
    /// MongoDB refuses a second index on the same key that differs only in its options, so the
    /// index that serves time queries is the TTL index itself, under its usual name.
    static func ageIndexes(retention: RetentionPolicy) -> [(collection: String, index: IndexSpec)] {
        RetentionPolicy.collections.map { collection in
            let field = ageField(of: collection)
            return (collection, IndexSpec(name: "\(field)_1", keys: [IndexKey(field)], expireAfterSeconds: retention.expireAfterSeconds(for: collection)))
        }
    }

    /// `createIndexes` codes for "an index with this name (or key) exists with other options":
    /// 85 IndexOptionsConflict (MongoDB before 5.0), 86 IndexKeySpecsConflict (later, and SecantusDB).
    static let optionsConflictCodes: Set<Int> = [85, 86]

    /// Makes an existing age index match `index`: `collMod` sets its expiry (turning a plain
    /// index into a TTL index in place, without a rebuild, on MongoDB 5.1+ and SecantusDB); an
    /// expiry is removed by dropping the index and creating it again without one.
    static func change(_ index: IndexSpec, on collection: String, in store: MongoStore) throws(MongoError) {
        let command = BSONDocumentBuilder()
        if let seconds = index.expireAfterSeconds {
            command.appendString("collMod", collection)
            command.appendDocument("index") { spec in
                spec.appendString("name", index.name)
                spec.appendInt32("expireAfterSeconds", seconds)
            }
            _ = try store.runCommand(command, operation: "collMod", collection: collection)
            return
        }
        command.appendString("dropIndexes", collection)
        command.appendString("index", index.name)
        do throws(MongoError) {
            _ = try store.runCommand(command, operation: "dropIndexes", collection: collection)
        } catch .commandFailed(_, _, 27, _) {
            // IndexNotFound: another worker starting at the same time dropped it first.
        }
        try store.createIndexes(collection: collection, indexes: [index])
    }

    /// What to run by hand when the worker could not change an age index (an index on the same
    /// key under another name, a server before 5.1).
    static func conflictAdvice(collection: String, index: IndexSpec) -> String {
        if let seconds = index.expireAfterSeconds {
            return
                "SLUICE_RETENTION gives \(collection) \(seconds / 86_400) days: make \(index.name) the only index on \(index.keys.map(\.field).joined(separator: ", ")) "
                + "and run db.runCommand({collMod: \"\(collection)\", index: {name: \"\(index.name)\", expireAfterSeconds: \(seconds)}})"
        }
        return "SLUICE_RETENTION keeps \(collection) forever: run db.\(collection).dropIndex(\"\(index.name)\"), then restart the worker"
    }
}
