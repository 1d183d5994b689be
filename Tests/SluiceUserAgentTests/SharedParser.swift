import SluiceUserAgent

/// One parser for every suite: loading compiles 1,162 regexes, once per test process.
enum SharedParser {
    private static let loaded = Result { () throws(UserAgentError) in try UserAgentParser() }

    /// The parser for Debian's installed uap-core rules.
    static func get() throws(UserAgentError) -> UserAgentParser { try loaded.get() }
}
