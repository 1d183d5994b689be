extension String {
    /// Calls `body` with a NUL-terminated pointer to this string's UTF-8 bytes
    /// and their full byte count.
    ///
    /// The count includes anything after an embedded NUL, so libbson functions
    /// that take an explicit length see the whole string; the pointer is never
    /// nil, even for an empty string (libbson asserts on a NULL key).
    func withUTF8CString<R>(_ body: (UnsafePointer<CChar>, Int) throws -> R) rethrows -> R {
        let count = utf8.count
        return try withCString { try body($0, count) }
    }
}
