import Foundation
import SluiceRedis
import SluiceTestSupport
import Testing

/// A private Redis master with one replica (`--replicaof`), for the tests of
/// `SLUICE_REPLICA_ACKS`: `WAIT` needs a real replica, which the shared test Redis does not have.
final class RedisReplicaPair: @unchecked Sendable {
    /// The master's URL (database 0), for ingest.
    let masterURL: String
    /// The replica's URL, to read what reached it.
    let replicaURL: String
    private let master: PrivateRedisServer
    private let replica: PrivateRedisServer

    /// Starts both servers and waits until the replica's link to the master is up.
    init() async throws {
        master = try await PrivateRedisServer()
        replica = try await PrivateRedisServer(arguments: ["--replicaof", "127.0.0.1", String(master.port)])
        masterURL = master.url
        replicaURL = replica.url
        let linked = await PrivateRedisServer.eventually { (try? self.replicationInfo(of: self.replicaURL))?.contains("master_link_status:up") == true }
        try #require(linked, "the replica on port \(replica.port) never linked to its master on \(master.port)")
    }

    /// Stops the replica (SIGKILL): the master then waits for an acknowledgement that never comes.
    func stopReplica() async throws {
        replica.stop()
        let gone = await PrivateRedisServer.eventually { (try? self.replicationInfo(of: self.masterURL))?.contains("connected_slaves:0") == true }
        try #require(gone, "the master still lists its replica after it was killed")
    }

    /// `INFO replication` of the server at `url`.
    func replicationInfo(of url: String) throws -> String {
        try RedisConnection(endpoint: RedisEndpoint(url: url)).run(RedisCommand("INFO", "replication")).text ?? ""
    }
}
