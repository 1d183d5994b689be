import Foundation
import SluiceCore
import SluiceTestSupport
import Testing

@testable import SluiceRedis

/// A three-master Redis Cluster of a test's own (no replicas), each master holding a
/// third of the slots, as `redis-cli --cluster create` would share them out.
final class RedisTestCluster: @unchecked Sendable {
    let masters: [PrivateRedisServer]
    /// Each master's node id, in `masters` order.
    let ids: [String]
    /// Each master's cluster bus port, in `masters` order.
    let busPorts: [Int]

    /// Starts the masters, gives each its slots, introduces them and waits until the cluster is up.
    init() async throws {
        var masters: [PrivateRedisServer] = []
        var busPorts: [Int] = []
        for _ in 0..<3 {
            // The bus port is given: the default (port + 10,000) fails for ports above 55,535.
            let busPort = try PrivateRedisServer.freePort()
            busPorts.append(busPort)
            masters.append(
                try await PrivateRedisServer(arguments: [
                    "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "1000", "--cluster-port", String(busPort),
                ]))
        }
        self.masters = masters
        self.busPorts = busPorts
        var ids: [String] = []
        for (index, master) in masters.enumerated() {
            let node = try Self.node(master)
            ids.append(try #require(try node.send(RedisCommand("CLUSTER", "MYID")).text))
            let range = Self.slots(of: index)
            _ = try node.send(RedisCommand("CLUSTER", "ADDSLOTSRANGE", String(range.lowerBound), String(range.upperBound)))
            if index > 0 { _ = try node.send(RedisCommand("CLUSTER", "MEET", "127.0.0.1", String(masters[0].port), String(busPorts[0]))) }
        }
        self.ids = ids
        let up = await PrivateRedisServer.eventually {
            masters.allSatisfy { (try? Self.node($0).send(RedisCommand("CLUSTER", "INFO")).text)?.contains("cluster_state:ok") == true }
        }
        try #require(up, "the test cluster on ports \(masters.map(\.port)) never reached cluster_state:ok")
    }

    /// Replicas added by `addReplica(of:)`, kept running as long as the cluster.
    private(set) var replicas: [PrivateRedisServer] = []

    /// Starts a replica of master `index` and waits until its link is up and it has the master's data.
    func addReplica(of index: Int) async throws {
        let busPort = try PrivateRedisServer.freePort()
        let replica = try await PrivateRedisServer(arguments: [
            "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "1000", "--cluster-port", String(busPort),
        ])
        replicas.append(replica)
        let node = try Self.node(replica)
        _ = try node.send(RedisCommand("CLUSTER", "MEET", "127.0.0.1", String(masters[index].port), String(busPorts[index])))
        let met = await PrivateRedisServer.eventually { (try? node.send(RedisCommand("CLUSTER", "NODES")).text)?.contains(self.ids[index]) == true }
        try #require(met, "the replica on port \(replica.port) never learned of master \(index)")
        // REPLICATE once it is accepted (the node must know the master first), then wait for the link.
        let replicating = await PrivateRedisServer.eventually {
            (try? node.send(RedisCommand("CLUSTER", "REPLICATE", self.ids[index])).text) == "OK"
        }
        try #require(replicating, "the node on port \(replica.port) refused to replicate master \(index)")
        let linked = await PrivateRedisServer.eventually {
            (try? node.send(RedisCommand("INFO", "replication")).text)?.contains("master_link_status:up") == true
        }
        try #require(linked, "the replica on port \(replica.port) never linked to master \(index)")
    }

    /// The slots master `index` starts with.
    static func slots(of index: Int) -> ClosedRange<Int> {
        index * HashSlot.count / 3...(index + 1) * HashSlot.count / 3 - 1
    }

    /// A seed list naming the first two masters (the third is found from the slot map).
    var seedURL: String { "redis://127.0.0.1:\(masters[0].port),127.0.0.1:\(masters[1].port)" }

    /// A connection to one master alone, to look at what it holds or change its slots.
    static func node(_ server: PrivateRedisServer) throws(RedisError) -> RedisNodeConnection {
        try RedisNodeConnection(endpoint: RedisEndpoint(url: server.url), connectTimeout: 2, readTimeout: 5)
    }

    /// A key whose slot master `index` serves at the start, and that slot.
    static func key(on index: Int, _ name: String) -> (key: String, slot: Int) {
        var attempt = 0
        while true {
            let tag = "\(index).\(attempt)"
            if slots(of: index).contains(HashSlot.of(tag)) { return ("\(name):{\(tag)}", HashSlot.of(tag)) }
            attempt += 1
        }
    }

    /// Makes master `to` the owner of `slot` on every master (the slot must hold no keys).
    func assign(slot: Int, to index: Int) throws {
        for master in masters {
            _ = try Self.node(master).send(RedisCommand("CLUSTER", "SETSLOT", String(slot), "NODE", ids[index]))
        }
    }
}
