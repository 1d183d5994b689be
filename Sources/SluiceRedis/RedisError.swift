/// What went wrong talking to Redis, with the endpoint and the server's or library's words.
public enum RedisError: Error, Sendable, CustomStringConvertible {
    /// The URL in `SLUICE_REDIS_URL` (or a flag) cannot be used.
    case invalidURL(String, reason: String)
    /// No connection could be made.
    case connectFailed(endpoint: String, message: String)
    /// The connection broke during a command; the outcome of unanswered commands is unknown.
    case connectionLost(endpoint: String, message: String)
    /// The server answered a setup command (AUTH, SELECT) with an error.
    case setupFailed(endpoint: String, command: String, message: String)
    /// A command answered with an error reply where the caller required success.
    case commandFailed(command: String, message: String)
    /// A reply had a shape the caller did not expect.
    case unexpectedReply(command: String, reply: String)
    /// The commands would take the writer's queue past its bound of `limit` commands: refused at once, not buffered.
    case queueFull(limit: Int)
    /// The writer is shutting down and takes no more commands.
    case shutDown
    /// Fewer replicas than required confirmed the writes within the timeout (`WAIT`): the
    /// master has them, but a failover now could lose them, so they do not count as accepted.
    case replicaAcksMissing(wanted: Int, confirmed: Int, timeoutMilliseconds: Int)

    public var description: String {
        switch self {
        case .invalidURL(let url, let reason): return "invalid Redis URL \(url): \(reason)"
        case .connectFailed(let endpoint, let message): return "cannot connect to Redis at \(endpoint): \(message)"
        case .connectionLost(let endpoint, let message): return "lost the connection to Redis at \(endpoint): \(message)"
        case .setupFailed(let endpoint, let command, let message): return "Redis at \(endpoint) refused \(command): \(message)"
        case .commandFailed(let command, let message): return "Redis \(command) failed: \(message)"
        case .unexpectedReply(let command, let reply): return "unexpected reply to Redis \(command): \(reply)"
        case .queueFull(let limit): return "the Redis writer's queue is full (\(limit) commands waiting for Redis): retry later"
        case .shutDown: return "the Redis writer is shut down"
        case .replicaAcksMissing(let wanted, let confirmed, let timeout):
            return
                "only \(confirmed) of \(wanted) Redis replicas confirmed the writes within \(timeout) ms (WAIT): check the replicas (INFO replication) or lower SLUICE_REPLICA_ACKS"
        }
    }
}
