import SluiceCore
import SluiceTestSupport
import Testing

@testable import SluiceRedis

/// `RedisConnection` on a real three-master cluster: commands reach the master of their
/// slot, replies keep the caller's order, and `MOVED`/`ASK` redirections are followed.
@Suite(.serialized) struct ClusterRouterTests {
    @Test func commandsReachTheMasterOfTheirSlotAndRepliesKeepTheirOrder() async throws {
        let cluster = try await RedisTestCluster()
        let redis = try RedisConnection(endpoint: RedisEndpoint(url: cluster.seedURL))
        #expect(redis.isCluster)
        let keys = (0..<3).map { RedisTestCluster.key(on: $0, "k").key }
        let replies = try redis.pipeline(
            keys.enumerated().map { RedisCommand("SET", $1, "value \($0)") } + keys.map { RedisCommand("GET", $0) } + [RedisCommand("INCR", keys[2])])
        #expect(replies[0..<3].allSatisfy { $0.text == "OK" })
        #expect(replies[3..<6].map(\.text) == ["value 0", "value 1", "value 2"])
        #expect(replies[6].errorMessage?.contains("not an integer") == true, "an error reply stays the reply of its own command")
        for (index, key) in keys.enumerated() {
            #expect(redis.address(servingKey: key).port == cluster.masters[index].port)
            #expect(try RedisTestCluster.node(cluster.masters[index]).send(RedisCommand("GET", key)).text == "value \(index)", "\(key) is on master \(index)")
        }
    }

    @Test func aMovedSlotIsFollowedAndTheSlotMapUpdated() async throws {
        let cluster = try await RedisTestCluster()
        let redis = try RedisConnection(endpoint: RedisEndpoint(url: cluster.seedURL))
        let (key, slot) = RedisTestCluster.key(on: 0, "moved")
        #expect(redis.address(servingKey: key).port == cluster.masters[0].port)
        try cluster.assign(slot: slot, to: 2)
        // The connection still believes master 0 serves the slot: its SET meets MOVED.
        #expect(try redis.run(RedisCommand("SET", key, "here")).text == "OK")
        #expect(redis.address(servingKey: key).port == cluster.masters[2].port)
        #expect(try RedisTestCluster.node(cluster.masters[2]).send(RedisCommand("GET", key)).text == "here")
    }

    @Test func anAskDuringAMigrationIsFollowedWithoutChangingTheMap() async throws {
        let cluster = try await RedisTestCluster()
        let redis = try RedisConnection(endpoint: RedisEndpoint(url: cluster.seedURL))
        let (key, slot) = RedisTestCluster.key(on: 0, "migrating")
        let other = key.replacingOccurrences(of: "migrating:", with: "new:")
        _ = try redis.run(RedisCommand("SET", key, "moving"))
        let source = try RedisTestCluster.node(cluster.masters[0])
        let target = try RedisTestCluster.node(cluster.masters[1])
        _ = try target.send(RedisCommand("CLUSTER", "SETSLOT", String(slot), "IMPORTING", cluster.ids[0]))
        _ = try source.send(RedisCommand("CLUSTER", "SETSLOT", String(slot), "MIGRATING", cluster.ids[1]))
        let migrated = try source.send(RedisCommand("MIGRATE", "127.0.0.1", String(cluster.masters[1].port), key, "0", "5000"))
        #expect(migrated.text == "OK", "MIGRATE: \(migrated)")
        // Master 0 answers ASK for the moved key and for a new key of the slot; master 1 takes both behind ASKING.
        let replies = try redis.pipeline([RedisCommand("GET", key), RedisCommand("SET", other, "new")])
        #expect(replies.map(\.text) == ["moving", "OK"])
        #expect(redis.address(servingKey: key).port == cluster.masters[0].port, "ASK is for one command: the slot stays with master 0 until the migration ends")
        #expect(try target.send(RedisCommand("ASKING")).text == "OK")
        #expect(try target.send(RedisCommand("GET", other)).text == "new")
    }

    @Test func scriptsLoadEverywhereAndWaitAnswersForEveryNodeWrittenTo() async throws {
        let cluster = try await RedisTestCluster()
        let redis = try RedisConnection(endpoint: RedisEndpoint(url: cluster.seedURL))
        let digest = try #require(try redis.run(RedisCommand("SCRIPT", "LOAD", "return redis.call('INCR', KEYS[1])")).text)
        let keys = (0..<3).map { RedisTestCluster.key(on: $0, "script").key }
        let replies = try redis.pipeline(keys.map { RedisCommand("EVALSHA", digest, "1", $0) } + [RedisCommand("WAIT", "0", "100")])
        #expect(replies.map(\.integer) == [1, 1, 1, 0], "\(replies)")
    }

    @Test func aTransactionTravelsToTheSlotOfItsFirstKey() async throws {
        let cluster = try await RedisTestCluster()
        let redis = try RedisConnection(endpoint: RedisEndpoint(url: cluster.seedURL))
        let key = RedisTestCluster.key(on: 2, "tx").key
        let replies = try redis.pipeline([RedisCommand("MULTI"), RedisCommand("INCR", key), RedisCommand("INCR", key), RedisCommand("EXEC")])
        #expect(replies[3] == .array([.integer(1), .integer(2)]), "\(replies)")
    }

    @Test func oneClusterNodeAloneOrAListOfPlainServersIsRefusedWithTheWayOut() async throws {
        let cluster = try await RedisTestCluster()
        #expect {
            _ = try RedisConnection(endpoint: RedisEndpoint(url: cluster.masters[0].url))
        } throws: { "\($0)".contains("list two or more of the cluster's nodes") }
        let plain = try await PrivateRedisServer()
        #expect {
            _ = try RedisConnection(endpoint: RedisEndpoint(url: "redis://127.0.0.1:\(plain.port),127.0.0.1:1"))
        } throws: { "\($0)".contains("give one address for a single server") }
    }

    @Test func aDeadMasterFailsOnlyTheCommandsOfItsSlots() async throws {
        let cluster = try await RedisTestCluster()
        let redis = try RedisConnection(endpoint: RedisEndpoint(url: cluster.seedURL))
        let keys = (0..<3).map { RedisTestCluster.key(on: $0, "partial").key }
        #expect(try redis.pipeline(keys.map { RedisCommand("SET", $0, "1") }).allSatisfy { $0.text == "OK" })
        cluster.masters[2].stop()
        let replies = try redis.pipeline(keys.map { RedisCommand("INCR", $0) })
        #expect(replies[0].integer == 2 && replies[1].integer == 2, "the live masters' commands complete: \(replies)")
        #expect(replies[2].errorMessage?.hasPrefix("UNREACHABLE 127.0.0.1:\(cluster.masters[2].port)") == true, "\(replies[2])")
        let digest = try redis.run(RedisCommand("SCRIPT", "LOAD", "return redis.call('GET', KEYS[1])")).text
        #expect(digest != nil, "the live masters load a script while one master is down")
        #expect(try redis.send(RedisCommand("EVALSHA", digest ?? "", "1", keys[0])).integer == 2)
    }

    @Test func waitCountsOnlyTheMastersThePipelineWroteTo() async throws {
        let cluster = try await RedisTestCluster()
        try await cluster.addReplica(of: 0)
        let redis = try RedisConnection(endpoint: RedisEndpoint(url: cluster.seedURL))
        let onReplicated = RedisTestCluster.key(on: 0, "wait").key
        let onLone = RedisTestCluster.key(on: 1, "wait").key
        let replicated = try redis.pipeline([RedisCommand("SET", onReplicated, "1"), RedisCommand("WAIT", "1", "2000")])
        #expect(replicated[1].integer == 1, "master 0's replica confirms: \(replicated)")
        let both = try redis.pipeline([RedisCommand("SET", onReplicated, "2"), RedisCommand("SET", onLone, "2"), RedisCommand("WAIT", "1", "200")])
        #expect(both[2].integer == 0, "master 1 has no replica: the least count answers: \(both)")
    }

    @Test func processesWithAnotherPartitionCountAreRefused() async throws {
        let cluster = try await RedisTestCluster()
        let endpoint = try RedisEndpoint(url: cluster.seedURL)
        _ = try RedisConnection(endpoint: endpoint, connectTimeout: 2, readTimeout: 5, layout: "4 partitions, spread tags")
        _ = try RedisConnection(endpoint: endpoint, connectTimeout: 2, readTimeout: 5, layout: "4 partitions, spread tags")
        #expect {
            _ = try RedisConnection(endpoint: endpoint, connectTimeout: 2, readTimeout: 5, layout: "8 partitions, spread tags")
        } throws: { "\($0)".contains("made with 4 partitions, spread tags, this process has 8 partitions") }
    }
}
