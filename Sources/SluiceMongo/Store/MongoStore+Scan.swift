extension MongoStore {
    /// Calls `body` with each document of `collection` matching `filterJSON`, as canonical
    /// extended JSON, while the cursor fetches them batch by batch, so a scan over many
    /// documents never holds them all. `optionsJSON` holds the find's options (projection,
    /// sort, batchSize). `body` must not call this store: the scan holds a pooled client.
    /// Blocking.
    public func forEachCanonicalJSON(
        collection: String, filterJSON: String, optionsJSON: String = "{}", _ body: (String) -> Void
    ) throws(MongoError) {
        let options = try BSONDocumentBuilder(json: optionsJSON)
        try forEachDocument(collection: collection, filterJSON: filterJSON, options: options) { document in
            body(BSONText.canonicalExtendedJSON(document))
        }
    }
}
