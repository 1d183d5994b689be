import SluiceCore
import Testing

@testable import SluiceRedis

/// Where each command Sluice sends goes on a Redis Cluster, and how seed lists parse.
@Suite struct ClusterRoutingTests {
    @Test func theFirstKeyPicksTheSlot() {
        #expect(RedisCommand("XADD", StreamLayout.streamKey(partition: 7), "*", "v", "1").clusterRoute == .slot(HashSlot.of("7")))
        #expect(RedisCommand("HGET", StreamLayout.sessionStateKey(sessionId: "s1", partition: 7), "id").clusterRoute == .slot(HashSlot.of("7")))
        #expect(RedisCommand("XINFO", "GROUPS", StreamLayout.streamKey(partition: 2)).clusterRoute == .slot(HashSlot.of("2")))
        #expect(RedisCommand("XGROUP", "CREATE", StreamLayout.streamKey(partition: 2), StreamLayout.group, "0").clusterRoute == .slot(HashSlot.of("2")))
        #expect(RedisCommand("MEMORY", "USAGE", StreamLayout.deadLetterStream).clusterRoute == .slot(HashSlot.of(StreamLayout.deadLetterStream)))
        #expect(
            RedisCommand("XREADGROUP", "GROUP", StreamLayout.group, "w1", "COUNT", "10", "BLOCK", "100", "STREAMS", StreamLayout.streamKey(partition: 3), ">")
                .clusterRoute
                == .slot(HashSlot.of("3")))
    }

    @Test func scriptsGoWhereTheirFirstKeyIsOrAnywhereWithoutKeys() {
        #expect(RedisCommand("EVALSHA", "abc", "2", "bucket:{t}:a", "bucket:{t}:b", "1").clusterRoute == .slot(HashSlot.of("t")))
        #expect(RedisCommand("EVAL", "return 1", "0").clusterRoute == .anyMaster)
        #expect(RedisCommand("SCRIPT", "LOAD", "return 1").clusterRoute == .everyMaster)
    }

    @Test func keylessAndTransactionCommandsAreMarked() {
        #expect(RedisCommand("PING").clusterRoute == .anyMaster)
        #expect(RedisCommand("INFO", "replication").clusterRoute == .anyMaster)
        #expect(RedisCommand("WAIT", "1", "100").clusterRoute == .writtenNodes)
        #expect(RedisCommand("MULTI").clusterRoute == .transactionStart)
        #expect(RedisCommand("EXEC").clusterRoute == .transactionEnd)
        #expect(RedisCommand("exec").clusterRoute == .transactionEnd, "command names are case-insensitive")
    }

    @Test func seedListsNameAClusterAndKeepTheCredentials() throws {
        let cluster = try RedisEndpoint(url: "redis://app:secret@10.0.0.1:7000,10.0.0.2,[::1]:7002")
        #expect(cluster.isCluster)
        #expect(
            cluster.seeds == [RedisAddress(host: "10.0.0.1", port: 7000), RedisAddress(host: "10.0.0.2", port: 6379), RedisAddress(host: "::1", port: 7002)])
        #expect(cluster.username == "app" && cluster.password == "secret" && cluster.host == "10.0.0.1" && cluster.port == 7000)
        #expect(cluster.description == "cluster 10.0.0.1:7000,10.0.0.2:6379,[::1]:7002")
        #expect(cluster.partitionTags(partitions: 4) == .spread(partitions: 4))

        let single = try RedisEndpoint(url: "redis://127.0.0.1:6380/3")
        #expect(!single.isCluster && single.seeds == [RedisAddress(host: "127.0.0.1", port: 6380)] && single.database == 3)
        #expect(single.partitionTags(partitions: 4) == .numbered)
    }

    @Test func badSeedListsAreRefusedWithTheReason() {
        func reason(_ url: String) -> String? {
            do {
                _ = try RedisEndpoint(url: url)
                return nil
            } catch {
                guard case .invalidURL(_, let reason) = error else { return "\(error)" }
                return reason
            }
        }
        #expect(reason("redis://a:1,b:2/1")?.contains("only database 0") == true)
        #expect(reason("redis://a:1,a:1")?.contains("twice") == true)
        #expect(reason("redis://a:1,")?.contains("host is missing") == true)
        #expect(reason("redis://a:1,b:x")?.contains("port") == true)
    }
}
