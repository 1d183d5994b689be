import CMongoc

extension BSONDocumentBuilder {
    /// Why MongoDB could not store this document as a stored event's data, or nil
    /// when it can: a field libbson refused while it was built (a key with NUL), or
    /// a failure of `bson_validate` with the rules for free-form stored data — keys
    /// non-empty, not starting with `$`, without `.`, and valid UTF-8 everywhere
    /// (NUL inside a string value is allowed; BSON strings carry their length).
    ///
    /// The fuzz target checks every event the validator accepts with this; it is not
    /// on the worker's path, where MongoDB itself has the last word.
    public var storageProblem: String? {
        if let appendFailure { return appendFailure }
        let flags = bson_validate_flags_t(
            rawValue: BSON_VALIDATE_UTF8.rawValue | BSON_VALIDATE_UTF8_ALLOW_NULL.rawValue | BSON_VALIDATE_DOLLAR_KEYS.rawValue
                | BSON_VALIDATE_DOT_KEYS.rawValue | BSON_VALIDATE_EMPTY_KEYS.rawValue)
        var error = bson_error_t()
        let valid = withBSON { bson_validate_with_error($0, flags, &error) }
        return valid ? nil : "bson_validate: \(CError(error).message)"
    }
}
