import SluiceCore

/// Size limits on what ingest accepts (DESIGN.md defaults; each is configurable).
public struct EventLimits: Sendable, Equatable {
    /// Largest canonical event, in bytes (default 32 KB).
    public var maxEventBytes: Int
    /// Largest request body, in bytes (default 512 KB).
    public var maxRequestBytes: Int
    /// Most events in one batch (default 500).
    public var maxBatchEvents: Int
    /// Deepest JSON nesting accepted (default 32).
    public var maxDepth: Int
    /// A request body may open one array or object per this many bytes, beyond its
    /// first 64 arrays and objects: `[[10,20],[30,40]]` at any length fits,
    /// `[[[[0]]]]` repeated does not (docs/events.md).
    public static let bytesPerContainer = 8

    /// Limits with the documented defaults unless given.
    public init(maxEventBytes: Int = 32_768, maxRequestBytes: Int = 524_288, maxBatchEvents: Int = 500, maxDepth: Int = JSONParser.defaultMaxDepth) {
        self.maxEventBytes = maxEventBytes
        self.maxRequestBytes = maxRequestBytes
        self.maxBatchEvents = maxBatchEvents
        self.maxDepth = maxDepth
    }
}
