import Foundation
import SluiceCore
import SluiceRedis

/// Waits for the flusher to write behind what Redis still holds, before a comparison
/// with MongoDB: documents lag their Redis state by up to the flush interval.
struct FlushWait {
    let redis: RedisConnection
    let partitions: Int

    /// The changed keys not yet written to MongoDB, over every partition (`ZCARD dirty:{p}`).
    func unflushed() throws -> Int64 {
        let commands = (0..<partitions).map { RedisCommand("ZCARD", StreamLayout.dirtyKey(partition: $0)) }
        var total: Int64 = 0
        for reply in try redis.pipeline(commands) {
            if let message = reply.errorMessage { throw RedisError.commandFailed(command: "ZCARD", message: message) }
            total += reply.integer ?? 0
        }
        return total
    }

    /// Polls once a second for up to `seconds` until nothing is unflushed, saying so on
    /// stderr; returns what is still unflushed at the end (0 when all was written).
    func wait(seconds: Int) throws -> Int64 {
        var waiting = try unflushed()
        guard waiting > 0 else { return 0 }
        Terminal.warn("Redis holds \(waiting) changed key\(waiting == 1 ? "" : "s") not yet flushed to MongoDB: waiting up to \(seconds) s for the flusher")
        var waited = 0
        while waiting > 0 && waited < seconds {
            Foundation.sleep(1)
            waited += 1
            waiting = try unflushed()
        }
        if waiting > 0 {
            Terminal.warn(
                "warning: \(waiting) changed key\(waiting == 1 ? " is" : "s are") still unflushed after \(seconds) s "
                    + "(is a worker running?): comparing anyway, and their differences are expected")
        }
        return waiting
    }
}
