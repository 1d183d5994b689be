import CMongoc

extension MongoStore {
    /// Creates `indexes` on `collection` (creating the collection if needed).
    ///
    /// Idempotent: an index that already exists with the same name and
    /// options is left alone. libmongoc 1.23 has no
    /// `mongoc_collection_create_indexes_with_opts`, so this sends the
    /// `createIndexes` command itself. Blocking.
    public func createIndexes(collection: String, indexes: [IndexSpec]) throws(MongoError) {
        if indexes.isEmpty { return }
        if let empty = indexes.first(where: { $0.keys.isEmpty }) {
            throw .invalidArgument(
                operation: "createIndexes", collection: collection,
                reason: "index \"\(empty.name)\" has no key fields")
        }
        let command = Self.createIndexesCommand(collection: collection, indexes: indexes)
        if let failure = command.appendFailure {
            throw .invalidArgument(operation: "createIndexes", collection: collection, reason: failure)
        }
        try runCommand(operation: "createIndexes", collection: collection, context: .write) { client, error in
            Handles.withDatabase(client, database: databaseName) { database in
                command.withBSON { mongoc_database_write_command_with_opts(database, $0, nil, nil, &error) }
            }
        }
    }

    /// `{createIndexes: <collection>, indexes: [{key: {...}, name, unique?, expireAfterSeconds?}]}`.
    static func createIndexesCommand(collection: String, indexes: [IndexSpec]) -> BSONDocumentBuilder {
        let command = BSONDocumentBuilder()
        command.appendString("createIndexes", collection)
        command.appendArray("indexes") { array in
            for index in indexes {
                array.appendDocument { spec in
                    spec.appendDocument("key") { key in
                        for field in index.keys { key.appendInt32(field.field, field.direction) }
                    }
                    spec.appendString("name", index.name)
                    if index.unique { spec.appendBool("unique", true) }
                    if let seconds = index.expireAfterSeconds { spec.appendInt32("expireAfterSeconds", seconds) }
                }
            }
        }
        return command
    }
}
