import CMongoc

/// The fields of a `mongoc_bulk_operation_execute` reply that decide a bulk's outcome.
///
/// libmongoc builds this reply itself from the server's per-batch replies:
/// `nInserted`, `nMatched`, `nModified` (left out when a server omitted it),
/// `nRemoved`, `nUpserted`, `upserted`, `writeErrors` (`index` counts over
/// the whole bulk) and `writeConcernErrors`.
struct BulkReply {
    /// Duplicate-key codes: 11000, and the legacy 11001 and 12582.
    static let duplicateKeyCodes: Set<Int> = [11000, 11001, 12582]

    /// One entry of `writeErrors`.
    struct WriteError {
        var index = -1
        var code = 0
        var message = ""
        /// The fields of `keyPattern` (the violated unique index), if the server sent it.
        var keyPattern: [String]?

        /// Whether this is a duplicate of the document's `_id`, so that an
        /// insert that failed with it is already stored. A duplicate on any
        /// other unique index means the document was NOT stored. Servers
        /// before 4.4 send no `keyPattern`; then the message names the index
        /// ("... index: _id_ dup key ...").
        var isDuplicateID: Bool {
            guard BulkReply.duplicateKeyCodes.contains(code) else { return false }
            if let keyPattern { return keyPattern == ["_id"] }
            return !message.contains(" index: ") || message.contains(" index: _id_ ")
        }
    }

    var inserted = 0
    var upserted = 0
    /// Bulk-wide indexes of the upserts that created a document (from `upserted`).
    var upsertedIndexes: [Int] = []
    var matched = 0
    var modified = 0
    var removed = 0
    var writeErrors: [WriteError] = []
    var writeConcernErrors: [String] = []

    /// Reads `reply`, which must stay valid for the duration of the call.
    init(reading reply: OpaquePointer) {
        var result = BulkReply()
        BSONFieldReader.forEachField(of: reply) { field in
            switch BSONFieldReader.key(field) {
            case "nInserted": result.inserted = BSONFieldReader.int(field)
            case "nUpserted": result.upserted = BSONFieldReader.int(field)
            case "nMatched": result.matched = BSONFieldReader.int(field)
            case "upserted":
                BSONFieldReader.forEachField(inside: field) { element in
                    BSONFieldReader.forEachField(inside: element) { part in
                        if BSONFieldReader.key(part) == "index" { result.upsertedIndexes.append(BSONFieldReader.int(part)) }
                    }
                }
            case "nModified": result.modified = BSONFieldReader.int(field)
            case "nRemoved": result.removed = BSONFieldReader.int(field)
            case "writeErrors":
                BSONFieldReader.forEachField(inside: field) { element in
                    result.writeErrors.append(Self.writeError(element))
                }
            case "writeConcernErrors":
                BSONFieldReader.forEachField(inside: field) { element in
                    let error = Self.writeError(element)
                    result.writeConcernErrors.append("code \(error.code): \(error.message)")
                }
            default: break
            }
        }
        self = result
    }

    /// Creates a reply from parts (for tests).
    init() {}

    private static func writeError(_ element: OpaquePointer) -> WriteError {
        var error = WriteError()
        BSONFieldReader.forEachField(inside: element) { field in
            switch BSONFieldReader.key(field) {
            case "index": error.index = BSONFieldReader.int(field)
            case "code": error.code = BSONFieldReader.int(field)
            case "errmsg": error.message = BSONFieldReader.string(field) ?? ""
            case "keyPattern":
                var fields: [String] = []
                BSONFieldReader.forEachField(inside: field) { fields.append(BSONFieldReader.key($0)) }
                error.keyPattern = fields
            default: break
            }
        }
        return error
    }
}
