import Synchronization

/// A bounded, thread-safe LRU cache of `DeviceInfo` by user agent around a `UserAgentParser`.
///
/// Tracking traffic repeats a small set of user agents, so most calls are a dictionary
/// lookup under a `Mutex` instead of a parse. A miss parses outside the lock, so threads
/// do not queue behind one another's parses; two threads missing on the same user agent
/// at once both parse it, and the second insert just refreshes the entry.
public final class CachedUserAgentParser: Sendable {
    /// Hit and miss counts since creation, and the current fill.
    public struct Statistics: Sendable, Equatable {
        /// Calls answered from the cache.
        public var hits: Int
        /// Calls that had to parse.
        public var misses: Int
        /// Entries currently cached.
        public var count: Int
        /// Most entries the cache keeps.
        public var capacity: Int
    }

    /// The wrapped parser, for calls that need the raw `details`.
    public let parser: UserAgentParser
    private let state: Mutex<LRUState>

    /// Wraps `parser`; `capacity` is the most entries kept (0 disables caching).
    public init(parser: UserAgentParser, capacity: Int = 10_000) {
        self.parser = parser
        state = Mutex(LRUState(capacity: max(0, capacity)))
    }

    /// Loads the uap-core rules and wraps them; see `UserAgentParser.init(regexesPath:)`.
    public convenience init(
        regexesPath: String = UserAgentParser.defaultRegexesPath, capacity: Int = 10_000
    ) throws(UserAgentError) {
        self.init(parser: try UserAgentParser(regexesPath: regexesPath), capacity: capacity)
    }

    /// The device summary for `userAgent`, from the cache when present.
    public func device(_ userAgent: String) -> DeviceInfo {
        if let cached = state.withLock({ $0.lookUp(userAgent) }) { return cached }
        let info = parser.device(userAgent)
        state.withLock { $0.insert(userAgent, info) }
        return info
    }

    /// Current hit/miss counters and fill.
    public var statistics: Statistics {
        state.withLock { Statistics(hits: $0.hits, misses: $0.misses, count: $0.count, capacity: $0.capacity) }
    }
}
