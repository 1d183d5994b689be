import SluiceCore
import SluiceMongo

/// Reads and deletes the dead letters the worker moved from `events:dead` to MongoDB's
/// `deadletters` collection, in pages, like `DeadLetterQueue` does for the stream.
///
/// Errors become `ControlError`s with MongoDB's message: the commands report them as they are.
struct DeadLetterArchive {
    static let collection = ArchivedDeadLetter.collection

    let store: MongoStore
    /// Letters per find, and ids per delete.
    var pageSize = 500

    /// The number of letters in `deadletters`.
    func count() throws -> Int64 {
        Int64(try mongo { () throws(MongoError) in try store.countDocuments(collection: Self.collection, filterJSON: "{}") })
    }

    /// Up to `limit` letters whose reason matches, newest failure first.
    func newest(limit: Int, reason: String?) throws -> [DeadLetter] {
        var found: [DeadLetter] = []
        var skip = 0
        while found.count < limit {
            let page = try mongo { () throws(MongoError) in
                try store.deadLetters(
                    filterJSON: "{}", sortJSON: #"{"\#(DeadLetterEntry.Field.failedAt.rawValue)": -1, "_id": -1}"#, skip: skip, limit: pageSize)
            }.map(DeadLetter.init(archived:))
            found += page.lazy.filter { $0.matches(reason: reason) }.prefix(limit - found.count)
            guard page.count == pageSize else { break }
            skip += page.count
        }
        return found
    }

    /// The letters with these ids that exist, by id.
    func letters(ids: [String]) throws -> [String: DeadLetter] {
        let letters = try mongo { () throws(MongoError) in try store.deadLetters(ids: ids) }
        return Dictionary(letters.map { ($0.id, DeadLetter(archived: $0)) }, uniquingKeysWith: { first, _ in first })
    }

    /// Calls `body` with each page of the scope's letters whose reason matches (in `_id`
    /// order) and returns the named ids that are not here.
    @discardableResult
    func forEachPage(_ scope: DeadLetterScope, reason: String?, _ body: ([DeadLetter]) throws -> Void) throws -> [String] {
        switch scope {
        case .ids(let ids):
            return try DeadLetterScope.forEachPage(of: ids, pageSize: pageSize, reason: reason, fetch: letters(ids:), body)
        case .all:
            var after: String?
            while true {
                let filter = after.map { JSONWriter.string(of: .object(JSONObject([("_id", .object(JSONObject([("$gt", .string($0))])))]))) } ?? "{}"
                let page = try mongo { () throws(MongoError) in
                    try store.deadLetters(filterJSON: filter, sortJSON: #"{"_id": 1}"#, limit: pageSize)
                }.map(DeadLetter.init(archived:))
                let matching = page.filter { $0.matches(reason: reason) }
                if !matching.isEmpty { try body(matching) }
                guard page.count == pageSize, let last = page.last else { return [] }
                after = last.id
            }
        }
    }

    /// Deletes the letters with these ids, a page at a time; returns how many there were.
    func delete(_ ids: [String]) throws -> Int {
        var deleted = 0
        for start in stride(from: 0, to: ids.count, by: pageSize) {
            let chunk = Array(ids[start..<min(start + pageSize, ids.count)])
            deleted += try mongo { () throws(MongoError) in try store.deleteDeadLetters(ids: chunk) }
        }
        return deleted
    }

    /// Runs a store call, turning its error into one line for the operator.
    private func mongo<R>(_ call: () throws(MongoError) -> R) throws(ControlError) -> R {
        do {
            return try call()
        } catch {
            throw ControlError("\(error)")
        }
    }
}
