import SluiceCore
import SluiceRedis
import SluiceTestSupport

/// A flushed Redis database of its own for one test, on the server the test command started.
///
/// Databases 288...319 are this target's (scripts/test.sh lists every target's range).
struct RedisTestDatabase {
    let url: String
    let endpoint: RedisEndpoint
    let connection: RedisConnection

    private static let databases = RedisDatabasePool("SluiceRedisTests", 288..<320)

    /// Connects to a fresh database; fails (never skips) without `SLUICE_TEST_REDIS_URL`.
    static func fresh() throws -> RedisTestDatabase {
        let url = try databases.fresh()
        let endpoint = try RedisEndpoint(url: url)
        let connection = try RedisConnection(endpoint: endpoint)
        return RedisTestDatabase(url: url, endpoint: endpoint, connection: connection)
    }

    /// Partition 0's stream holding entries with these ids (each a version-1 `{}` event) and
    /// the workers' group over all of them, nothing delivered yet; returns its key.
    func streamWithGroup(ids: [String]) throws -> String {
        let stream = StreamLayout.streamKey(partition: 0)
        for id in ids {
            try run("XADD", stream, id, StreamLayout.versionField, StreamLayout.schemaVersion, StreamLayout.eventField, "{}")
        }
        try run("XGROUP", "CREATE", stream, StreamLayout.group, "0")
        return stream
    }

    /// Runs a command, throwing on an error reply.
    @discardableResult
    func run(_ arguments: String...) throws -> RedisReply {
        try connection.run(RedisCommand(arguments: arguments))
    }
}
