/// One write in an unordered bulk sent by `MongoStore.bulkWrite`.
public enum BulkOperation {
    /// Inserts the document. A duplicate `_id` is reported in
    /// `BulkWriteOutcome.duplicateIndexes` ("already stored").
    case insert(BSONDocumentBuilder)
    /// Updates the one document matching `filter` with the operators in
    /// `update` (`$set`, `$min`, `$max`, `$inc`, `$addToSet`, ...), inserting
    /// it if none matches.
    case upsert(filter: BSONDocumentBuilder, update: BSONDocumentBuilder)
    /// Updates every document matching `filter` with the operators in `update`
    /// (no upsert).
    case updateMany(filter: BSONDocumentBuilder, update: BSONDocumentBuilder)
    /// Deletes every document matching `filter`; the number deleted is in
    /// `BulkWriteOutcome.deleted`.
    case deleteMany(filter: BSONDocumentBuilder)

    /// Whether this is an insert: then a duplicate `_id` means "already stored". An
    /// upsert that hits a duplicate key (two writers racing to create the same
    /// document) did not apply its update.
    public var isInsert: Bool {
        if case .insert = self { return true }
        return false
    }
}
