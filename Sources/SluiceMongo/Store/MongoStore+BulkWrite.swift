extension MongoStore {
    /// Sends `operations` to `collection` as one unordered bulk write and
    /// reports what happened to each.
    ///
    /// Returns when the outcome is known: duplicate-key inserts are listed in
    /// `duplicateIndexes` (already stored), every other rejected operation in
    /// `failures`. Throws `MongoError.outcomeUnknown` (retryable) when the
    /// server could not be reached or reported a write concern error: the
    /// caller must retry and must not acknowledge. An empty array returns an
    /// empty outcome without contacting the server. Blocking.
    public func bulkWrite(collection: String, operations: [BulkOperation]) throws(MongoError) -> BulkWriteOutcome {
        if operations.isEmpty { return BulkWriteOutcome() }
        let execution = BulkExecution(collectionName: collection, operations: operations)
        return try pool.withClient(operation: "bulkWrite") { client throws(MongoError) in
            try Handles.withCollection(client, database: databaseName, collection: collection) {
                collectionHandle throws(MongoError) in
                try execution.run(on: collectionHandle)
            }
        }
    }
}
