import SluiceCore
import SluiceRedis
import Testing

@testable import SluiceControl

@Suite("dead purge against Redis")
struct DeadPurgeTests {
    @Test func purgeYesDeletesEverything() throws {
        let redis = try TestRedis.fresh()
        for _ in 0..<5 { try redis.seed() }
        try redis.run(["dead", "purge", "--all", "--yes"])
        #expect(try redis.length(StreamLayout.deadLetterStream) == 0)
    }

    @Test func purgeByIdAndReason() throws {
        let redis = try TestRedis.fresh()
        let keep = try redis.seed(reason: "E11000")
        let named = try redis.seed(reason: "E11000")
        let timeouts = [try redis.seed(reason: "write TIMEOUT"), try redis.seed(reason: "timeout")]
        let purge = DeadLetterPurge(queue: redis.queue)

        let byId = try purge.plan(.ids([named, "1-0"]), reason: nil)
        #expect(byId.ids == [named] && byId.missing == ["1-0"])
        #expect(try purge.run(byId) == 1)
        let byReason = try purge.plan(.all, reason: "timeout")
        #expect(byReason.ids == timeouts)
        #expect(try purge.run(byReason) == 2)
        #expect(try redis.entries(StreamLayout.deadLetterStream).map(\.id) == [keep])
        // A named id that does not match the reason is kept.
        #expect(try purge.plan(.ids([keep]), reason: "timeout").ids.isEmpty)
    }

    @Test func purgeAllLeavesLettersThatArriveDuringTheWalk() throws {
        let redis = try TestRedis.fresh()
        for _ in 0..<7 { try redis.seed() }
        var queue = redis.queue
        queue.pageSize = 3
        var late: String?
        var walked: [String] = []
        try queue.forEachPage(.all, reason: nil) { page in
            walked += page.map(\.id)
            if late == nil { late = try redis.seed() }
        }
        let arrived = try #require(late)
        #expect(walked.count == 7 && !walked.contains(arrived))
        #expect(try DeadLetterPurge(queue: queue).run(.init(ids: walked)) == 7)
        #expect(try redis.entries(StreamLayout.deadLetterStream).map(\.id) == [arrived])
    }
}
