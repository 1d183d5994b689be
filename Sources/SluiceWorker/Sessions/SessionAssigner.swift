import SluiceRedis

/// Gives events that brought no session one, in order: what `BatchProcessor` needs of
/// session stitching. `SessionStitcher` on a Redis connection in the worker
/// (`SessionStitcher.on(_:)`); unit tests of the processor give their own.
protocol SessionAssigner {
    /// A session for each (visitor, event time), in order.
    func assign(_ requests: [(visitorId: String, timestamp: Int64)]) throws(RedisError) -> [SessionAssignment]
}

extension SessionStitcher {
    /// The stitcher on one connection, as a batch's `SessionAssigner`.
    struct Connected: SessionAssigner {
        let stitcher: SessionStitcher
        let connection: RedisConnection

        func assign(_ requests: [(visitorId: String, timestamp: Int64)]) throws(RedisError) -> [SessionAssignment] {
            try stitcher.assign(requests, on: connection)
        }
    }

    /// This stitcher assigning sessions on `connection`.
    func on(_ connection: RedisConnection) -> Connected { Connected(stitcher: self, connection: connection) }
}
