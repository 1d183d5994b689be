import CPCRE2

/// One compiled uap-core regex: PCRE2 in UTF mode, JIT-compiled when the platform allows.
///
/// The compiled code is immutable after `init`, and PCRE2 documents compiled patterns
/// (including JIT code) as safe to share between threads; per-match state lives in
/// `PCRE2MatchScratch`, which each parse call owns.
final class PCRE2Pattern: @unchecked Sendable {
    /// A pattern PCRE2 refused, with its message and offset.
    struct CompileFailure: Error {
        var message: String
        var offset: Int
    }

    private let code: OpaquePointer
    /// Number of capturing groups.
    let captureCount: Int
    let isJITCompiled: Bool

    init(_ pattern: String, caseInsensitive: Bool) throws(CompileFailure) {
        var options = UInt32(PCRE2_UTF)
        if caseInsensitive { options |= UInt32(PCRE2_CASELESS) }
        var errorCode: Int32 = 0
        var errorOffset = 0
        var text = pattern
        let compiled = text.withUTF8 { buffer in
            pcre2_compile_8(buffer.baseAddress, buffer.count, options, &errorCode, &errorOffset, nil)
        }
        guard let compiled else {
            throw CompileFailure(message: PCRE2Pattern.message(for: errorCode), offset: errorOffset)
        }
        code = compiled
        isJITCompiled = pcre2_jit_compile_8(compiled, UInt32(PCRE2_JIT_COMPLETE)) == 0
        var count: UInt32 = 0
        pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_CAPTURECOUNT), &count)
        captureCount = Int(count)
    }

    deinit { pcre2_code_free_8(code) }

    /// Searches `subject` (valid UTF-8); on a match the scratch holds the group offsets.
    func matches(_ subject: UnsafeBufferPointer<UInt8>, scratch: PCRE2MatchScratch) -> Bool {
        guard subject.baseAddress != nil else {
            // An empty Swift string may have no storage; PCRE2 10.42 rejects a NULL subject.
            let empty: UInt8 = 0
            return withUnsafePointer(to: empty) { matches(UnsafeBufferPointer(start: $0, count: 0), scratch: scratch) }
        }
        let result =
            isJITCompiled
            ? pcre2_jit_match_8(code, subject.baseAddress, subject.count, 0, 0, scratch.matchData, nil)
            // Swift strings are always valid UTF-8, so PCRE2's own check is wasted work.
            : pcre2_match_8(
                code, subject.baseAddress, subject.count, 0, UInt32(PCRE2_NO_UTF_CHECK), scratch.matchData, nil)
        // 0 means the ovector was too small; the scratch is sized for every pattern, so it
        // cannot happen, and the groups that did fit are still valid.
        return result >= 0
    }

    private static func message(for errorCode: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 256)
        let length = pcre2_get_error_message_8(errorCode, &buffer, buffer.count)
        return length > 0 ? String(decoding: buffer.prefix(Int(length)), as: UTF8.self) : "PCRE2 error \(errorCode)"
    }
}

/// Per-call match state (PCRE2 match data); not shared between threads.
final class PCRE2MatchScratch {
    fileprivate let matchData: OpaquePointer
    private let ovector: UnsafeMutablePointer<Int>

    /// `groups` is the largest capture count of any pattern it will be used with.
    init(groups: Int) {
        // Allocation failure of a few hundred bytes is not a recoverable condition.
        matchData = pcre2_match_data_create_8(UInt32(groups + 1), nil)!
        ovector = pcre2_get_ovector_pointer_8(matchData)
    }

    deinit { pcre2_match_data_free_8(matchData) }

    /// The text of group `index` of the last match in `subject`, or nil when it did not take part.
    func group(_ index: Int, in subject: UnsafeBufferPointer<UInt8>) -> Substring? {
        let start = ovector[2 * index]
        let end = ovector[2 * index + 1]
        // PCRE2_UNSET is ~0 as size_t, i.e. -1 as Int.
        guard start >= 0, end >= start, end <= subject.count else { return nil }
        return Substring(decoding: UnsafeBufferPointer(rebasing: subject[start..<end]), as: UTF8.self)
    }
}
