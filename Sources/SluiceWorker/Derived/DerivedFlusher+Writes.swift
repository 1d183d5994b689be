import SluiceMongo

extension DerivedFlusher {
    /// The writes of one collection: per key its operation and, for an insert, the
    /// update to send instead when the document is already there.
    struct Writes {
        var operations: [BulkOperation] = []
        var updates: [BulkOperation?] = []
        var keys: [String] = []

        /// Adds `key`'s write; `make(true)` is its write as if already stored.
        mutating func add(_ key: String, _ make: (Bool) -> BulkOperation?) {
            guard let operation = make(false) else { return }
            operations.append(operation)
            updates.append(operation.isInsert ? make(true) : nil)
            keys.append(key)
        }
    }

    /// Writes `writes`; inserts that find the document already there (a flush cut short
    /// after writing, or a document from before derived state lived in Redis) are sent
    /// again as updates. Returns the keys whose write failed.
    func write(_ collection: String, _ writes: Writes) throws(MongoError) -> Set<String> {
        guard !writes.operations.isEmpty else { return [] }
        let outcome = try store.bulkWrite(collection: collection, operations: writes.operations)
        var failed = Set<String>()
        for failure in outcome.failures {
            failed.insert(writes.keys[failure.index])
            logger.error(
                "derived write failed",
                metadata: ["sluice.collection": "\(collection)", "sluice.key": "\(writes.keys[failure.index])", "sluice.error": "\(failure)"])
        }
        let inserts = writes.updates.filter { $0 != nil }.count
        metrics.derivedWrites(collection, "insert", inserts - outcome.duplicateIndexes.count)
        metrics.derivedWrites(collection, "update", writes.operations.count - inserts)
        var again = Writes()
        for index in outcome.duplicateIndexes {
            guard let update = writes.updates[index] else { continue }
            again.operations.append(update)
            again.updates.append(nil)
            again.keys.append(writes.keys[index])
        }
        return failed.union(try write(collection, again))
    }
}
