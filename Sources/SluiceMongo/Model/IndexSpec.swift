/// One field of an index key, with its direction (1 ascending, -1 descending).
public struct IndexKey: Sendable, Equatable {
    /// The (possibly dotted) field name.
    public var field: String
    /// 1 for ascending, -1 for descending.
    public var direction: Int32

    /// Creates an index key field.
    public init(_ field: String, _ direction: Int32 = 1) {
        self.field = field
        self.direction = direction
    }
}

/// An index to create with `MongoStore.createIndexes`.
public struct IndexSpec: Sendable, Equatable {
    /// The index name; creating an index that already exists with the same
    /// name and keys is a no-op.
    public var name: String
    /// The key fields, in order.
    public var keys: [IndexKey]
    /// Whether the index rejects duplicate values.
    public var unique: Bool
    /// For a TTL index on a date field: seconds after which documents expire.
    public var expireAfterSeconds: Int32?

    /// Creates an index specification.
    public init(name: String, keys: [IndexKey], unique: Bool = false, expireAfterSeconds: Int32? = nil) {
        self.name = name
        self.keys = keys
        self.unique = unique
        self.expireAfterSeconds = expireAfterSeconds
    }

    /// Creates an index specification from `(field, direction)` pairs.
    public init(
        name: String, keys: [(String, Int32)], unique: Bool = false, expireAfterSeconds: Int32? = nil
    ) {
        self.init(
            name: name, keys: keys.map { IndexKey($0.0, $0.1) }, unique: unique,
            expireAfterSeconds: expireAfterSeconds)
    }
}
