import SluiceCore
import SluiceRedis
import Testing

@testable import SluiceControl

@Suite("DeadLetter and its output")
struct DeadLetterTests {
    private func letter(_ fields: [(String, String)], id: String = "1700000000000-0") -> DeadLetter {
        DeadLetter(id: id, fields: fields.map { ($0.0, Array($0.1.utf8)) })
    }

    private let complete: [(String, String)] =
        [("e", #"{"id":"ev-1","type":"page","visitorId":"v"}"#), ("v", "1")]
        + DeadLetterEntry(
            reason: "Document failed validation", stream: StreamLayout.streamKey(partition: 2), entryId: "1699999999999-3", deliveries: 4,
            failedAt: TestRedis.failedAt
        ).fields.map { ($0.name, $0.value) }

    @Test func readsAnXRangeEntry() throws {
        let reply = RedisReply.array([.string(Array("5-1".utf8)), .array([.string(Array("v".utf8)), .string(Array("1".utf8))])])
        let letter = try #require(try StreamEntryReply.entries(in: .array([reply])).map(DeadLetter.init(entry:)).first)
        #expect(letter.id == "5-1" && letter.text("v") == "1")
        #expect(throws: RedisError.self) { try StreamEntryReply.entries(in: .array([.string([])])).map(DeadLetter.init(entry:)) }
    }

    @Test func fieldsAndEvent() {
        let dead = letter(complete)
        #expect(dead.reason == "Document failed validation" && dead.stream == StreamLayout.streamKey(partition: 2) && dead.entryId == "1699999999999-3")
        #expect(dead.deliveries == 4 && dead.failedAt == "2024-05-01T10:00:00.000Z")
        #expect(dead.eventType == "page" && dead.eventId == "ev-1")
        let broken = letter([("e", "{oops"), (DeadLetterEntry.Field.reason.rawValue, "undecodable")])
        #expect(broken.eventType == nil && broken.eventId == nil && broken.deliveries == nil)
    }

    @Test func reasonFilterIgnoresCase() {
        let dead = letter(complete)
        #expect(dead.matches(reason: nil) && dead.matches(reason: "failed VALIDATION") && !dead.matches(reason: "E11000"))
    }

    @Test(arguments: ["0-0", "1-0", "1712345678901-0", "18446744073709551615-18446744073709551615"])
    func validIds(_ id: String) { #expect(DeadLetter.isValidID(id)) }

    @Test(arguments: ["", "-", "1", "1-", "-1", "a-1", "1-1-1", "+1-0", "1-0 ", "18446744073709551616-0", "١-٠"])
    func invalidIds(_ id: String) { #expect(!DeadLetter.isValidID(id)) }

    @Test func onlyPartitionStreamsAreReplayable() {
        #expect(letter(complete).replayProblem(partitions: 4) == nil)
        #expect(letter(complete).replayProblem(partitions: 2)?.contains("2 partitions") == true)
        #expect(letter(complete.filter { $0.0 != DeadLetterEntry.Field.stream.rawValue }).replayProblem(partitions: 4) == "no stream field")
        #expect(letter(complete.filter { $0.0 != "e" }).replayProblem(partitions: 4) == "no e field")
        #expect(letter(complete.filter { $0.0 != "v" }).replayProblem(partitions: 4) == "no v field")
    }

    @Test func tableTruncatesTheReasonToTheWidth() {
        let long = complete.map { $0.0 == DeadLetterEntry.Field.reason.rawValue ? ($0.0, String(repeating: "x", count: 300) + "\nsecond line") : $0 }
        let text = DeadLetterTable.text([letter(long), letter(complete, id: "1-0")], counts: .init(stream: 7, archive: 0), reason: nil, width: 140)
        let lines = text.split(separator: "\n")
        #expect(lines.count == 4)
        #expect(lines[0].hasPrefix("ID") && lines[0].hasSuffix("REASON"))
        #expect(lines[1].count == 140 && lines[1].hasSuffix("x…"))
        #expect(lines[2].hasPrefix("1-0 ") && lines[2].contains("page") && lines[2].contains("ev-1"))
        #expect(lines[3] == "shown 2 of 7 dead letters in \(StreamLayout.deadLetterStream)")
        #expect(!DeadLetterTable.text([letter(long)], counts: .init(stream: 1, archive: 0), reason: nil, width: nil).contains("…"))
        #expect(
            DeadLetterTable.text([], counts: .init(stream: 0, archive: 0), reason: "x", width: 80)
                == #"shown 0 matching reason "x" of 0 dead letters in \#(StreamLayout.deadLetterStream)"#)
    }

    @Test func listJSON() throws {
        let json = DeadLetterTable.json([letter(complete)], counts: .init(stream: 3, archive: 0))
        let object = try #require(try JSONParser.parse(json).objectValue)
        #expect(object["total"] == .int(3) && object["shown"] == .int(1))
        guard case .array(let items)? = object["deadLetters"], let first = items.first?.objectValue else {
            Issue.record("no deadLetters array in \(json)")
            return
        }
        #expect(first["eventType"] == .string("page") && first["deliveries"] == .int(4) && first["stream"] == .string(StreamLayout.streamKey(partition: 2)))
    }

    @Test func detailPrettyPrintsTheEvent() throws {
        let detail = letter(complete).detail
        #expect(
            detail.hasPrefix(
                "id          1700000000000-0\nwhere       \(StreamLayout.deadLetterStream)\nv           1\nreason      Document failed validation\n"))
        #expect(detail.hasSuffix("e:\n{\n  \"id\": \"ev-1\",\n  \"type\": \"page\",\n  \"visitorId\": \"v\"\n}"))
        #expect(letter([("e", "{oops")]).detail.contains("not valid JSON"))
        let json = try #require(try JSONParser.parse(letter(complete).detailJSON).objectValue)
        #expect(json["fields"]?.objectValue?["e"]?.objectValue?["type"] == .string("page"))
        #expect(json["fields"]?.objectValue?["deliveries"] == .string("4"))
        #expect(json["where"] == .string(StreamLayout.deadLetterStream))
        let moved = DeadLetter(id: "1-0", fields: [("v", Array("1".utf8))], place: .archive)
        #expect(moved.detail.contains("\nwhere  \(StoreCollection.deadLetters)\n") && moved.detailJSON.contains(#""where":"\#(StoreCollection.deadLetters)""#))
    }

    @Test func prettyJSONRoundTrips() throws {
        let source = #"{"a":[1,2.5,{"b":null,"c":[]}],"d":{},"e":"x\"y\n","f":true}"#
        let value = try JSONParser.parse(source)
        let pretty = PrettyJSON.string(of: value)
        #expect(pretty.contains("\n    2.5,\n"))
        #expect(try JSONParser.parse(pretty) == value)
        #expect(PrettyJSON.string(of: .array([])) == "[]")
    }

    @Test func progressEveryTenPercentWhenNotATerminal() throws {
        #expect(ProgressReporter(label: "replay", total: 100, interactive: false) == nil)
        var progress = try #require(ProgressReporter(label: "replay", total: 1000, interactive: false))
        let lines = stride(from: 50, through: 1000, by: 50).compactMap { progress.update(done: $0) }
        #expect(lines.count == 10)
        #expect(lines.first == "replay: 10% (100/1000)\n" && lines.last == "replay: 100% (1000/1000)\n")
    }

    @Test func progressBarOnATerminal() throws {
        var progress = try #require(ProgressReporter(label: "purge", total: 200, interactive: true))
        #expect(progress.update(done: 100) == "\rpurge [###############---------------] 50% 100/200")
        #expect(progress.update(done: 100) == nil)
        #expect(progress.update(done: 200)?.hasSuffix("100% 200/200\n") == true)
    }

    @Test func chunksAreSmallEnoughForProgress() {
        #expect(ProgressReporter.chunkSize(total: 5, limit: 500) == 10)
        #expect(ProgressReporter.chunkSize(total: 1000, limit: 500) == 50)
        #expect(ProgressReporter.chunkSize(total: 1_000_000, limit: 500) == 500)
        #expect(ProgressReporter.chunkSize(total: 1000, limit: 3) == 3)
    }

    @Test func refusesToAskWithoutATerminal() {
        #expect(throws: ControlError.self) { try Terminal.requireConfirmable("delete dead letters", stdinIsTerminal: false) }
        #expect(throws: Never.self) { try Terminal.requireConfirmable("delete dead letters", stdinIsTerminal: true) }
    }
}
