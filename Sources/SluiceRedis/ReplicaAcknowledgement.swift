/// How many replicas must confirm a write before the writer reports it done
/// (`WAIT numreplicas timeout` after the pipeline), for ingest's `SLUICE_REPLICA_ACKS`.
///
/// Redis replicates asynchronously: a master that dies takes with it what its
/// replicas had not received yet. With this policy the writer's callers learn that
/// their entries reached `replicas` replicas, or get `RedisError.replicaAcksMissing`.
public struct ReplicaAcknowledgement: Sendable, Equatable {
    /// Replicas that must confirm, at least 1.
    public let replicas: Int
    /// How long `WAIT` waits for them, in milliseconds, at least 1 (0 would mean for ever).
    public let timeoutMilliseconds: Int

    /// A policy; callers check the ranges (ingest's configuration does).
    public init(replicas: Int, timeoutMilliseconds: Int) {
        self.replicas = replicas
        self.timeoutMilliseconds = timeoutMilliseconds
    }

    /// The command sent after a pipeline that carries writes needing confirmation.
    var command: RedisCommand {
        RedisCommand("WAIT", String(replicas), String(timeoutMilliseconds))
    }

    /// The error for `WAIT`'s reply, nil when enough replicas confirmed.
    func shortfall(in reply: RedisReply) -> RedisError? {
        if let message = reply.errorMessage {
            return .commandFailed(command: "WAIT", message: message)
        }
        guard let confirmed = reply.integer else {
            return .unexpectedReply(command: "WAIT", reply: "\(reply)")
        }
        guard confirmed >= replicas else {
            return .replicaAcksMissing(wanted: replicas, confirmed: Int(confirmed), timeoutMilliseconds: timeoutMilliseconds)
        }
        return nil
    }
}
