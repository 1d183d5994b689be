import ArgumentParser
import Foundation
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

    @Test func listAndShowCommandsPrintTheLetters() throws {
        let redis = try TestRedis.fresh()
        try redis.seed(id: "1000-0", eventId: "ev-old", type: "track", reason: "Document failed validation")
        let id = try redis.seed(
            id: "2000-0", eventId: "ev-show", type: "identify", reason: "E11000", stream: StreamLayout.streamKey(partition: 3), deliveries: 5)

        // The newest letter only, every column in its place, and a footer counting both.
        let table = try redis.output(of: ["dead", "list", "--limit", "1"]).split(separator: "\n")
        try #require(table.count == 3, "\(table)")
        #expect(table[0].split(separator: " ").map(String.init) == ["ID", "WHERE", "FAILED", "AT", "STREAM", "TYPE", "EVENT", "ID", "DELIVERIES", "REASON"])
        #expect(
            table[1].split(separator: " ").map(String.init) == [
                id, StreamLayout.deadLetterStream, "2024-05-01T10:00:00.000Z", StreamLayout.streamKey(partition: 3), "identify", "ev-show", "5", "E11000",
            ])
        #expect(table[2] == "shown 1 of 2 dead letters in \(StreamLayout.deadLetterStream)")

        // The reason filter leaves the validation failure out: only the E11000 letter.
        let listed = try #require(try JSONParser.parse(Array(try redis.output(of: ["dead", "list", "--reason", "e11000", "--json"]).utf8)).objectValue)
        #expect(listed["total"] == .int(2) && listed["inStream"] == .int(2) && listed["inMongo"] == .int(0) && listed["shown"] == .int(1))
        guard case .array(let items)? = listed["deadLetters"], items.count == 1, let item = items[0].objectValue else {
            Issue.record("not one letter in \(listed)")
            return
        }
        #expect(item["id"] == .string(id) && item["eventId"] == .string("ev-show") && item["eventType"] == .string("identify"))
        #expect(item["stream"] == .string(StreamLayout.streamKey(partition: 3)) && item["deliveries"] == .int(5) && item["reason"] == .string("E11000"))

        // Every field, name and value, then the event pretty-printed.
        let shown = try redis.output(of: ["dead", "show", id])
        let lines = shown.split(separator: "\n", omittingEmptySubsequences: false)
        let eventLine = try #require(lines.firstIndex(of: "e:"), "\(shown)")
        let named = lines[..<eventLine].map { $0.split(separator: " ", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) } }
        #expect(
            named == [
                ["id", id], ["where", StreamLayout.deadLetterStream], ["v", "1"], ["reason", "E11000"], ["stream", StreamLayout.streamKey(partition: 3)],
                ["entryId", "1700000000000-0"], ["deliveries", "5"], ["failedAt", "2024-05-01T10:00:00.000Z"],
            ])
        let event = lines[(eventLine + 1)...].joined(separator: "\n")
        #expect(event.hasPrefix("{\n") && event.contains("\n  \"id\": \"ev-show\",\n") && event.contains("\n  \"type\": \"identify\",\n"))

        // JSON: the event as a JSON value, the other fields as strings.
        let detail = try #require(try JSONParser.parse(Array(try redis.output(of: ["dead", "show", id, "--json"]).utf8)).objectValue)
        #expect(detail["id"] == .string(id) && detail["where"] == .string(StreamLayout.deadLetterStream))
        let fields = try #require(detail["fields"]?.objectValue)
        #expect(
            fields["reason"] == .string("E11000") && fields["deliveries"] == .string("5") && fields["stream"] == .string(StreamLayout.streamKey(partition: 3)))
        #expect(fields["e"]?.objectValue?["id"] == .string("ev-show") && fields["e"]?.objectValue?["type"] == .string("identify"))
    }

    @Test func showReadsEveryField() throws {
        let redis = try TestRedis.fresh()
        let id = try redis.seed(eventId: "ev-show", type: "identify", reason: "E11000", stream: StreamLayout.streamKey(partition: 3), deliveries: 5)
        let letter = try #require(try redis.queue.letter(id: id))
        #expect(letter.fields.map(\.name) == [StreamLayout.eventField, StreamLayout.versionField] + DeadLetterEntry.Field.allCases.map(\.rawValue))
        #expect(letter.eventId == "ev-show" && letter.eventType == "identify" && letter.deliveries == 5)
        #expect(letter.detail.contains("\n  \"visitorId\": \"visitor-1\",\n"))
    }

    @Test func showOfAMissingIdFailsWithStatusOne() throws {
        let redis = try TestRedis.fresh()
        try redis.seed(id: "5-0")
        #expect(try redis.queue.letter(id: "6-0") == nil)
        let error = try #require(throws: ControlError.self) { try redis.run(["dead", "show", "6-0"]) }
        #expect(error.description == "no dead letter 6-0 in \(StreamLayout.deadLetterStream) or \(StoreCollection.deadLetters)")
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
