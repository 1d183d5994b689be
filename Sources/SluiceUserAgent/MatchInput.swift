/// One user agent prepared for matching: its UTF-8 bytes, PCRE2 match data and trigrams.
///
/// Valid only inside `UserAgentParser.withInput`, which owns the bytes.
struct MatchInput {
    let subject: UnsafeBufferPointer<UInt8>
    let scratch: PCRE2MatchScratch
    /// Nil when the pre-filter is off for this subject (non-ASCII) or for this call.
    let trigrams: TrigramSet?
}
