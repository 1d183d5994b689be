import SluiceMongo

/// What a batch needs of the store: unordered bulk writes into the event collections, and
/// finds by filter (which duplicates are an entry's own earlier write). `MongoStore` in
/// the worker; unit tests of `BatchProcessor` give their own, so its decisions (what is
/// acknowledged, counted, dead-lettered or retried) are tested without a server.
protocol BatchStore {
    /// The outcome of `operations` sent as one unordered bulk to `collection`.
    func bulkWrite(collection: String, operations: [BulkOperation]) throws(MongoError) -> BulkWriteOutcome
    /// The documents of `collection` matching `filterJSON` (extended JSON), as canonical extended JSON.
    func documents(in collection: String, matching filterJSON: String) throws(MongoError) -> [String]
}

extension MongoStore: BatchStore {
    func documents(in collection: String, matching filterJSON: String) throws(MongoError) -> [String] {
        try findCanonicalJSON(collection: collection, filterJSON: filterJSON)
    }
}
