import ArgumentParser
import SluiceCore
import SluiceRedis
import Testing

@testable import SluiceControl

@Suite("dead list and show against Redis")
struct DeadListAndShowTests {
    @Test func newestFirstWithLimit() throws {
        let redis = try TestRedis.fresh()
        for n in 1...5 { try redis.seed(id: "\(n)000-0", reason: "reason \(n)") }
        let letters = try redis.queue.newest(limit: 3, reason: nil)
        #expect(letters.map(\.id) == ["5000-0", "4000-0", "3000-0"])
        #expect(try redis.queue.length() == 5)
        #expect(try redis.queue.newest(limit: 20, reason: nil).count == 5)
    }

    @Test func reasonFilterScansPageByPage() throws {
        let redis = try TestRedis.fresh()
        for n in 1...20 { try redis.seed(id: "\(n)-0", reason: n % 4 == 0 ? "MongoDB: Document failed validation" : "E11000 duplicate key") }
        var queue = redis.queue
        queue.pageSize = 3  // several pages, and matches spread across them
        #expect(try queue.newest(limit: 3, reason: "failed VALIDATION").map(\.id) == ["20-0", "16-0", "12-0"])
        #expect(try queue.newest(limit: 50, reason: "validation").map(\.id) == ["20-0", "16-0", "12-0", "8-0", "4-0"])
        #expect(try queue.newest(limit: 5, reason: "nothing like this").isEmpty)
    }

    @Test func emptyQueue() throws {
        let redis = try TestRedis.fresh()
        #expect(try redis.queue.newest(limit: 20, reason: nil).isEmpty)
        #expect(try redis.queue.length() == 0)
        try redis.run(["dead", "list"])
    }

    @Test func listAndShowCommandsRun() throws {
        let redis = try TestRedis.fresh()
        let id = try redis.seed(eventId: "ev-show", type: "identify", reason: "E11000", stream: "events:{3}", deliveries: 5)
        try redis.run(["dead", "list", "--limit", "1"])
        try redis.run(["dead", "list", "--reason", "e11000", "--json"])
        try redis.run(["dead", "show", id])
        try redis.run(["dead", "show", id, "--json"])
    }

    @Test func showReadsEveryField() throws {
        let redis = try TestRedis.fresh()
        let id = try redis.seed(eventId: "ev-show", type: "identify", reason: "E11000", stream: "events:{3}", deliveries: 5)
        let letter = try #require(try redis.queue.letter(id: id))
        #expect(letter.fields.map(\.name) == ["e", "v", "reason", "stream", "entryId", "deliveries", "failedAt"])
        #expect(letter.eventId == "ev-show" && letter.eventType == "identify" && letter.deliveries == 5)
        #expect(letter.detail.contains("\n  \"visitorId\": \"visitor-1\",\n"))
    }

    @Test func showOfAMissingIdFailsWithStatusOne() throws {
        let redis = try TestRedis.fresh()
        try redis.seed(id: "5-0")
        #expect(try redis.queue.letter(id: "6-0") == nil)
        let error = try #require(throws: ControlError.self) { try redis.run(["dead", "show", "6-0"]) }
        #expect(error.description == "no dead letter 6-0 in events:dead or deadletters")
        #expect(SluiceControlCommand.exitCode(for: error) == .failure)
    }

    @Test func unreachableRedisIsOneClearError() throws {
        var command = try SluiceControlCommand.parseAsRoot(["dead", "list", "--redis-url", "redis://127.0.0.1:1"])
        let error = try #require(throws: ControlError.self) { try command.run() }
        #expect(error.description.hasPrefix("cannot connect to Redis at 127.0.0.1:1"))
        #expect(!error.description.contains("\n"))
        #expect(SluiceControlCommand.exitCode(for: error) == .failure)
    }
}
