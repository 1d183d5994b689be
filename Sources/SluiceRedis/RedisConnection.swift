import SluiceCore

/// A blocking connection to Redis: one server, or every master of a Redis Cluster
/// when the endpoint lists seed nodes (`RedisEndpoint.isCluster`).
///
/// Either way callers send commands and pipelines alike. On a cluster each command
/// goes to the master of its key's hash slot, redirections (`MOVED`, `ASK`) are
/// followed and the slot map is read again after a failover (`RedisClusterRouter`);
/// callers keep every key a command or script touches within one slot.
///
/// Not thread-safe: one thread owns it. A single server's connection is unusable after
/// an I/O error (`isBroken`) and the owner makes a new one; a cluster's reconnects
/// to its nodes by itself.
public final class RedisConnection {
    private enum Link {
        case server(RedisNodeConnection)
        case cluster(RedisClusterRouter)
    }

    /// The server or cluster this connection talks to.
    public let endpoint: RedisEndpoint
    private let link: Link

    /// Connects, then authenticates and selects the database the endpoint names; for
    /// a cluster, reads the slot map from the first seed that answers.
    /// - Parameters:
    ///   - connectTimeout: seconds to wait for a TCP connection.
    ///   - readTimeout: seconds to wait for any reply; must exceed any `BLOCK` time used.
    public convenience init(endpoint: RedisEndpoint, connectTimeout: Double = 2, readTimeout: Double = 5) throws(RedisError) {
        try self.init(endpoint: endpoint, connectTimeout: connectTimeout, readTimeout: readTimeout, layout: StreamLayout.spreadLayout)
    }

    /// As above, checking a cluster against `layout` (this process's, or a test's).
    init(endpoint: RedisEndpoint, connectTimeout: Double, readTimeout: Double, layout: String?) throws(RedisError) {
        self.endpoint = endpoint
        if endpoint.isCluster {
            let router = try RedisClusterRouter(endpoint: endpoint, connectTimeout: connectTimeout, readTimeout: readTimeout)
            try Self.agreeOnLayout(router, layout: layout, endpoint: endpoint)
            link = .cluster(router)
        } else {
            let server = try RedisNodeConnection(endpoint: endpoint, connectTimeout: connectTimeout, readTimeout: readTimeout)
            try Self.refuseClusterNode(server)
            link = .server(server)
        }
    }

    /// True once an I/O error has made a single server's connection unusable (never for a cluster).
    public var isBroken: Bool {
        switch link {
        case .server(let server): return server.isBroken
        case .cluster: return false
        }
    }

    /// True when this connection routes to a Redis Cluster's nodes.
    public var isCluster: Bool {
        if case .cluster = link { return true }
        return false
    }

    /// Sends one command and waits for its reply. Error replies are returned, not thrown.
    public func send(_ command: RedisCommand) throws(RedisError) -> RedisReply {
        try pipeline([command])[0]
    }

    /// Sends one command and throws if Redis answers with an error reply.
    public func run(_ command: RedisCommand) throws(RedisError) -> RedisReply {
        let reply = try send(command)
        if let message = reply.errorMessage { throw .commandFailed(command: command.name, message: message) }
        return reply
    }

    /// Sends commands back to back and then reads every reply, in order: one round trip
    /// (per node, the nodes in parallel, on a cluster).
    public func pipeline(_ commands: [RedisCommand]) throws(RedisError) -> [RedisReply] {
        guard !commands.isEmpty else { return [] }
        switch link {
        case .server(let server): return try server.pipeline(commands)
        case .cluster(let router): return try router.pipeline(commands)
        }
    }

    /// The address of the master that serves `key`: the server itself, or on a
    /// cluster its slot's master as last known.
    public func address(servingKey key: String) -> RedisAddress {
        switch link {
        case .server: return RedisAddress(host: endpoint.host, port: endpoint.port)
        case .cluster(let router): return router.address(servingKey: key)
        }
    }

    /// On a cluster the partition tags depend on the partition count, so processes with
    /// different counts would use different streams: the first to connect records its
    /// layout (`StreamLayout.layoutKey`), and one whose layout differs is refused.
    private static func agreeOnLayout(_ router: RedisClusterRouter, layout: String?, endpoint: RedisEndpoint) throws(RedisError) {
        guard let layout else { return }
        let reply = try router.pipeline([RedisCommand("SET", StreamLayout.layoutKey, layout, "NX", "GET")])[0]
        if let message = reply.errorMessage { throw .commandFailed(command: "SET \(StreamLayout.layoutKey)", message: message) }
        guard let recorded = reply.text, recorded != layout else { return }
        throw .setupFailed(
            endpoint: endpoint.description, command: "the layout check",
            message:
                "this cluster's streams were made with \(recorded), this process has \(layout): check SLUICE_PARTITIONS. To change the partition count on a cluster, stop ingest, let the workers drain every stream (sluicectl streams: LENGTH 0), then DEL \(StreamLayout.layoutKey) and start every process with the new count (docs/production.md, Redis Cluster)"
        )
    }

    /// A URL naming one node of a cluster would leave the processes routing nothing
    /// and using the single server's partition keys: refused with the way out.
    private static func refuseClusterNode(_ server: RedisNodeConnection) throws(RedisError) {
        guard let info = try server.send(RedisCommand("INFO", "cluster")).text else { return }
        if info.contains("cluster_enabled:1") {
            throw .setupFailed(
                endpoint: server.endpoint.description, command: "INFO cluster",
                message:
                    "this is a Redis Cluster node: list two or more of the cluster's nodes in SLUICE_REDIS_URL (redis://host1:port1,host2:port2,…) so every process routes by slot and uses the cluster's partition keys"
            )
        }
    }
}
