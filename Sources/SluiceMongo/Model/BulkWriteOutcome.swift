/// What the server did with an unordered bulk write whose outcome is known.
public struct BulkWriteOutcome: Sendable, Equatable {
    /// Documents inserted by `.insert` operations.
    public var inserted: Int
    /// Documents created by `.upsert` operations.
    public var upserted: Int
    /// Indexes (into the operations passed to `bulkWrite`) of upserts that
    /// created their document, as opposed to updating an existing one.
    public var upsertedIndexes: [Int] = []
    /// Documents matched by update and upsert operations.
    public var matched: Int
    /// Documents actually changed by update and upsert operations (0 if the
    /// server did not report `nModified`).
    public var modified: Int
    /// Documents removed by `.deleteMany` operations.
    public var deleted: Int
    /// Indexes (into the operations passed to `bulkWrite`) of inserts that
    /// failed with a duplicate `_id` (11000): the document is already stored.
    /// A duplicate on another unique index is a failure, not listed here.
    public var duplicateIndexes: [Int]
    /// Every other per-operation error, with the operation's index.
    public var failures: [BulkWriteFailure]

    /// Creates an outcome (public so callers can build one in test doubles).
    public init(
        inserted: Int = 0, upserted: Int = 0, matched: Int = 0, modified: Int = 0, deleted: Int = 0,
        duplicateIndexes: [Int] = [], failures: [BulkWriteFailure] = []
    ) {
        self.inserted = inserted
        self.upserted = upserted
        self.matched = matched
        self.modified = modified
        self.deleted = deleted
        self.duplicateIndexes = duplicateIndexes
        self.failures = failures
    }

    /// True when every operation is stored (written now or a duplicate insert).
    public var allStored: Bool { failures.isEmpty }
}

/// One operation of a bulk write that the server (or libmongoc, before
/// sending) rejected.
public struct BulkWriteFailure: Sendable, Equatable, CustomStringConvertible {
    /// Index of the operation in the array passed to `bulkWrite`.
    public var index: Int
    /// The server's error code (for example 14 TypeMismatch, 9 FailedToParse),
    /// or libmongoc's code when `rejectedBeforeSending`.
    public var code: Int
    /// The server's (or libmongoc's) message.
    public var message: String
    /// True when libmongoc refused the operation before sending it (an
    /// invalid key, an update without operators, a refused field).
    public var rejectedBeforeSending: Bool

    /// Creates a failure (public so callers can build one in test doubles).
    public init(index: Int, code: Int, message: String, rejectedBeforeSending: Bool = false) {
        self.index = index
        self.code = code
        self.message = message
        self.rejectedBeforeSending = rejectedBeforeSending
    }

    /// True for a duplicate-key error that is not "already stored": an upsert
    /// that raced another writer creating the same `_id` (retrying it will
    /// most likely succeed), or a clash on a unique index other than `_id`.
    public var isDuplicateKey: Bool { !rejectedBeforeSending && BulkReply.duplicateKeyCodes.contains(code) }

    /// "operation 3: code 14: Cannot increment with non-numeric argument".
    public var description: String {
        "operation \(index): \(rejectedBeforeSending ? "rejected before sending" : "code \(code)"): \(message)"
    }
}
