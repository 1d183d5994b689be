import Synchronization

/// Idle connections to one endpoint, each lent to one thread at a time: a process that
/// makes short blocking Redis calls from a thread pool (the dashboard's reports) reuses a
/// connection instead of opening one per call, which costs a TCP handshake, `AUTH` and
/// `SELECT`, the cluster-node check and, on a cluster, the slot map and the layout.
///
/// A connection goes back to the pool after a call that returned; one whose call threw,
/// or that broke, is dropped (the next call connects afresh). At most `capacity` idle
/// connections are kept. Safe for concurrent use.
public final class RedisConnectionPool: Sendable {
    /// A connection handed to one thread at a time: the pool gives each out once and
    /// takes it back only from the call it was lent to.
    private final class Lent: @unchecked Sendable {
        let connection: RedisConnection
        init(_ connection: RedisConnection) { self.connection = connection }
    }

    /// The server or cluster the connections talk to.
    public let endpoint: RedisEndpoint
    /// The most idle connections kept.
    public let capacity: Int
    private let idle = Mutex<[Lent]>([])

    /// A pool for `endpoint`, keeping up to `capacity` idle connections.
    public init(endpoint: RedisEndpoint, capacity: Int = 8) {
        self.endpoint = endpoint
        self.capacity = capacity
    }

    /// Idle connections now (for tests and diagnostics).
    public var idleCount: Int { idle.withLock { $0.count } }

    /// `body`'s result with an idle connection, or a new one when none is idle; blocking.
    /// Throws what connecting or `body` throws.
    public func withConnection<Result>(_ body: (RedisConnection) throws -> Result) throws -> Result {
        let lent = try idle.withLock { $0.popLast() } ?? Lent(RedisConnection(endpoint: endpoint))
        let result = try body(lent.connection)
        if !lent.connection.isBroken {
            idle.withLock { if $0.count < capacity { $0.append(lent) } }
        }
        return result
    }
}
