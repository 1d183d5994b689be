import CMongoc

extension MongoStore {
    /// Returns the documents of `collection` matching `filterJSON` (JSON or
    /// extended JSON), each as canonical extended JSON; at most `limit`
    /// documents when `limit > 0`. For tests and the CLI. Blocking.
    public func findCanonicalJSON(collection: String, filterJSON: String, limit: Int = 0) throws(MongoError) -> [String] {
        let options = BSONDocumentBuilder()
        if limit > 0 { options.appendInt64("limit", Int64(limit)) }
        var documents: [String] = []
        try forEachDocument(collection: collection, filterJSON: filterJSON, options: options) { document in
            documents.append(BSONText.canonicalExtendedJSON(document))
        }
        return documents
    }

    /// Runs a find on `collection` with `filterJSON` and `options` (sort, skip, limit) and
    /// calls `body` with each document, which must not escape. Blocking.
    func forEachDocument(
        collection: String, filterJSON: String, options: BSONDocumentBuilder, _ body: (OpaquePointer) -> Void
    ) throws(MongoError) {
        let filter = try BSONDocumentBuilder(json: filterJSON)
        if let failure = options.appendFailure {
            throw .invalidArgument(operation: "find", collection: collection, reason: failure)
        }
        try pool.withClient(operation: "find") { client throws(MongoError) in
            try Handles.withCollection(client, database: databaseName, collection: collection) {
                handle throws(MongoError) in
                let cursor = filter.withBSON { filter in
                    options.withBSON { mongoc_collection_find_with_opts(handle, filter, $0, nil) }
                }!
                defer { mongoc_cursor_destroy(cursor) }
                var document: OpaquePointer?
                while mongoc_cursor_next(cursor, &document), let current = document {
                    body(current)
                }
                var error = bson_error_t()
                if mongoc_cursor_error(cursor, &error) {
                    throw CError(error).mongoError(operation: "find", collection: collection, context: .read)
                }
            }
        }
    }

    /// Counts the documents of `collection` matching `filterJSON`. Blocking.
    public func countDocuments(collection: String, filterJSON: String) throws(MongoError) -> Int {
        let filter = try BSONDocumentBuilder(json: filterJSON)
        var count: Int64 = -1
        try runCommand(operation: "countDocuments", collection: collection, context: .read) { client, error in
            count = Handles.withCollection(client, database: databaseName, collection: collection) { handle in
                filter.withBSON { mongoc_collection_count_documents(handle, $0, nil, nil, nil, &error) }
            }
            return count >= 0
        }
        return Int(count)
    }

    /// Drops the whole database (for tests; succeeds if it does not exist). Blocking.
    public func dropDatabase() throws(MongoError) {
        try runCommand(operation: "dropDatabase", collection: databaseName, context: .write) { client, error in
            Handles.withDatabase(client, database: databaseName) { mongoc_database_drop_with_opts($0, nil, &error) }
        }
    }
}
