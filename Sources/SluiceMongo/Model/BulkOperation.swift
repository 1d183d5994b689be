/// One write in an unordered bulk sent by `MongoStore.bulkWrite`.
public enum BulkOperation: Sendable {
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

    /// Whether a duplicate-key error on this operation means "already stored".
    /// Only true for inserts: an upsert that hits a duplicate key (two writers
    /// racing to create the same document) did not apply its update.
    var duplicateMeansStored: Bool {
        if case .insert = self { return true }
        return false
    }
}
