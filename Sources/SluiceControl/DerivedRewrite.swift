import SluiceCore
import SluiceMongo

/// The absolute values `sluicectl rollups rebuild` writes into sessions and visitors,
/// as plain fields (times as epoch ms) and as the `$set` upserts that store them.
enum DerivedRewrite {
    /// Fields written as BSON dates.
    static let dateFields: Set<String> = ["startTime", "lastActivity", "endTime", "firstVisit", "lastVisit", "entered"]
    /// The most user ids a visitor document created by a rebuild takes (the worker keeps about as many).
    static let maxUserIds = 50

    /// A session's fields from its recount. A session rebuild creates gets the landing
    /// fields (`SessionTally.landing`), and ends (`endTime` = `lastActivity`) if it was last
    /// active before `closedBefore`; a stored one keeps them, its `endTime` following
    /// `lastActivity` once set.
    static func session(_ tally: SessionTally, stored: JSONObject?, closedBefore: Int64) -> JSONObject {
        var set = JSONObject([
            ("visitorId", .string(tally.visitorId)), ("startTime", .int(tally.startTime)), ("lastActivity", .int(tally.lastActivity)),
            ("pageViews", .int(tally.pageViews)), ("events", .int(tally.events)),
        ])
        if let entry = tally.entry { set["entryPage"] = .string(entry.path) }
        if let exit = tally.exit { set["exitPage"] = .string(exit.path) }
        if let userId = tally.userId { set["userId"] = .string(userId.id) }
        if let stored {
            if let endTime = stored["endTime"], endTime != .null { set["endTime"] = .int(tally.lastActivity) }
            return set
        }
        for member in tally.landing.members { set[member.key] = member.value }
        set["endTime"] = tally.lastActivity < closedBefore ? .int(tally.lastActivity) : .null
        return set
    }

    /// A visitor's fields from its recount (with its funnel progress, when it has any); one
    /// rebuild creates also gets its user ids and device.
    static func visitor(_ tally: VisitorTally, stored: JSONObject?, funnels: JSONValue? = nil) -> JSONObject {
        var set = JSONObject([
            ("firstVisit", .int(tally.firstVisit)), ("lastVisit", .int(tally.lastVisit)), ("pageViews", .int(tally.pageViews)),
            ("visits", .int(tally.visits)), ("returning", .bool(tally.visits > 1)),
        ])
        // A funnel's `entered` is written as a date (`dateFields`).
        if let funnels { set["funnels"] = funnels }
        if stored == nil {
            set["userIds"] = .array(tally.userIds.prefix(maxUserIds).map(JSONValue.string))
            if let device = tally.device { set["device"] = device.value }
        }
        return set
    }

    /// `stored` (or a new document) with `set` applied: what MongoDB holds after the write.
    static func applied(_ set: JSONObject, to stored: JSONObject?, id: String) -> JSONObject {
        var document = stored ?? JSONObject([("_id", .string(id))])
        for member in set.members { document[member.key] = member.value }
        return document
    }

    /// `{_id: id}` upserted with `$set: set`.
    static func upsert(id: String, set: JSONObject) -> BulkOperation {
        let update = BSONDocumentBuilder()
        update.appendDocument("$set") { document in
            for member in set.members { append(member.value, as: member.key, to: document, isDate: dateFields.contains(member.key)) }
        }
        return upsert(id: id, update: update)
    }

    /// `{_id: id}` upserted with `update`.
    static func upsert(id: String, update: BSONDocumentBuilder) -> BulkOperation {
        let filter = BSONDocumentBuilder()
        filter.appendString("_id", id)
        return .upsert(filter: filter, update: update)
    }

    /// Appends a plain value as BSON (`isDate`: an epoch ms integer as a date).
    private static func append(_ value: JSONValue, as key: String, to document: BSONDocumentBuilder, isDate: Bool = false) {
        switch value {
        case .null: document.appendNull(key)
        case .bool(let flag): document.appendBool(key, flag)
        case .int(let number): if isDate { document.appendDate(key, millisecondsSince1970: number) } else { document.appendInt64(key, number) }
        case .double(let number): document.appendDouble(key, number)
        case .string(let text): document.appendString(key, text)
        case .object(let object):
            document.appendDocument(key) { inner in object.members.forEach { append($0.value, as: $0.key, to: inner, isDate: dateFields.contains($0.key)) } }
        case .array(let items): document.appendArray(key) { array in items.forEach { append($0, to: array) } }
        }
    }

    /// Appends a plain value to a BSON array.
    private static func append(_ value: JSONValue, to array: BSONArrayBuilder) {
        switch value {
        case .null: array.appendNull()
        case .bool(let flag): array.appendBool(flag)
        case .int(let number): array.appendInt64(number)
        case .double(let number): array.appendDouble(number)
        case .string(let text): array.appendString(text)
        case .object(let object): array.appendDocument { inner in object.members.forEach { append($0.value, as: $0.key, to: inner) } }
        case .array(let items): array.appendArray { inner in items.forEach { append($0, to: inner) } }
        }
    }
}
