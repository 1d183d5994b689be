import CMongoc

extension MongoStore {
    /// Runs one command on this store's database (`{collMod: …}`, `{dropIndexes: …}`,
    /// `{listIndexes: …}`) and returns the server's reply as canonical extended JSON.
    ///
    /// A reply with `ok: 0` throws `MongoError.commandFailed` with the server's code; a server
    /// that cannot be reached throws `outcomeUnknown` (retryable: the command may have run).
    /// Blocking.
    public func runCommand(_ command: BSONDocumentBuilder, operation: String, collection: String) throws(MongoError) -> String {
        if let failure = command.appendFailure {
            throw .invalidArgument(operation: operation, collection: collection, reason: failure)
        }
        return try pool.withClient(operation: operation) { client throws(MongoError) in
            try BSONStorage.withReply { reply throws(MongoError) in
                var error = bson_error_t()
                let succeeded = Handles.withDatabase(client, database: databaseName) { database in
                    command.withBSON { mongoc_database_command_with_opts(database, $0, nil, nil, reply, &error) }
                }
                if !succeeded {
                    throw CError(error).mongoError(operation: operation, collection: collection, context: .write)
                }
                return BSONText.canonicalExtendedJSON(reply)
            }
        }
    }
}
