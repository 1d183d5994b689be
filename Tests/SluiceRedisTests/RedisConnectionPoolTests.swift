import SluiceRedis
import Testing

/// Connections lent and taken back, against a real Redis.
@Suite struct RedisConnectionPoolTests {
    /// The server's id of the connection a call used.
    static func clientID(_ pool: RedisConnectionPool) throws -> Int64? {
        try pool.withConnection { try $0.run(RedisCommand("CLIENT", "ID")).integer }
    }

    @Test func aReturnedConnectionIsReusedAndAFailedOneDropped() throws {
        let redis = try RedisTestDatabase.fresh()
        let pool = RedisConnectionPool(endpoint: redis.endpoint, capacity: 1)
        let first = try Self.clientID(pool)
        #expect(first != nil)
        #expect(try Self.clientID(pool) == first)
        #expect(pool.idleCount == 1)
        // A call that throws leaves its connection out: the next call connects afresh.
        struct Refused: Error {}
        #expect(throws: Refused.self) { try pool.withConnection { _ in throw Refused() } }
        #expect(pool.idleCount == 0)
        let third = try Self.clientID(pool)
        #expect(third != nil && third != first)
    }

    @Test func connectionsLentAtOnceAreDistinctAndIdleOnesStopAtTheCapacity() throws {
        let redis = try RedisTestDatabase.fresh()
        let pool = RedisConnectionPool(endpoint: redis.endpoint, capacity: 2)
        // Three calls under way at once (nested here) each hold a connection of their own.
        let ids = try pool.withConnection { a in
            try pool.withConnection { b in
                try pool.withConnection { c in
                    try [a, b, c].map { try $0.run(RedisCommand("CLIENT", "ID")).integer }
                }
            }
        }
        #expect(Set(ids).count == 3)
        #expect(pool.idleCount == 2)
    }

    @Test func anUnreachableServerIsTheConnectError() throws {
        let pool = RedisConnectionPool(endpoint: try RedisEndpoint(url: "redis://127.0.0.1:1"))
        #expect(throws: RedisError.self) { try pool.withConnection { _ in } }
        #expect(pool.idleCount == 0)
    }
}
