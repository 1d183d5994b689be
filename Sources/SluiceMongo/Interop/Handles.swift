import CMongoc

/// Scoped libmongoc database and collection handles, destroyed after use.
enum Handles {
    /// Runs `body` with a `mongoc_collection_t` for `database.collection`.
    static func withCollection<R, E: Error>(
        _ client: OpaquePointer, database: String, collection: String,
        _ body: (OpaquePointer) throws(E) -> R
    ) throws(E) -> R {
        let handle = mongoc_client_get_collection(client, database, collection)!
        defer { mongoc_collection_destroy(handle) }
        return try body(handle)
    }

    /// Runs `body` with a `mongoc_database_t` for `database`.
    static func withDatabase<R, E: Error>(
        _ client: OpaquePointer, database: String,
        _ body: (OpaquePointer) throws(E) -> R
    ) throws(E) -> R {
        let handle = mongoc_client_get_database(client, database)!
        defer { mongoc_database_destroy(handle) }
        return try body(handle)
    }
}
