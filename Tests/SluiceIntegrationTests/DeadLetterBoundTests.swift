import Foundation
import SluiceCore
import SluiceMongo
import SluiceRedis
import SluiceTestSupport
import Testing

@testable import SluiceWorker

/// `events:dead` stays within `SLUICE_DEAD_LETTER_LIMIT`: the worker moves the oldest
/// letters to MongoDB's `deadletters`, and `sluicectl dead` lists, shows, replays and
/// purges them there.
@Suite struct DeadLetterBoundTests {
    private static let limit = 3
    private static let letters = 8

    /// Runs the built `sluicectl` against the stack and returns its exit status and stdout.
    private func sluicectl(_ stack: TestStack, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: stack.environment.binDirectory).appendingPathComponent("sluicectl")
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging([
            "SLUICE_REDIS_URL": stack.redisURL, "SLUICE_MONGO_URL": stack.mongoURL, "SLUICE_PARTITIONS": String(TestStack.partitions),
        ]) { $1 }
        let stdout = Pipe()
        process.standardOutput = stdout
        try process.run()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    @Test func lettersPastTheLimitMoveToMongoDBAndSluicectlStillHandlesThem() async throws {
        let stack = try await TestStack(prefix: "deadbound", startWorker: false, workerSettings: ["SLUICE_DEAD_LETTER_LIMIT": String(Self.limit)])
        let redis = try RedisConnection(endpoint: RedisEndpoint(url: stack.redisURL))
        // Entries a worker read 6 times without storing them (it crashed each time): dead-lettered at the next start.
        let stream = StreamLayout.streamKey(partition: 1)
        _ = try redis.run(RedisCommand("XGROUP", "CREATE", stream, StreamLayout.group, "0", "MKSTREAM"))
        for n in 0..<Self.letters {
            var entry = RedisCommand("XADD", stream, "*", "v", "1")
            entry.append("e")
            entry.append(
                #"{"id":"bound-\#(n)","type":"event","visitorId":"v-bound","timestamp":1767323045678,"receivedAt":1767323045678,"eventType":"t","eventName":"n"}"#
            )
            let id = try #require(try redis.run(entry).text)
            _ = try redis.run(RedisCommand("XREADGROUP", "GROUP", StreamLayout.group, stack.consumerName, "STREAMS", stream, ">"))
            for _ in 0..<5 { _ = try redis.run(RedisCommand("XCLAIM", stream, StreamLayout.group, stack.consumerName, "0", id)) }
        }
        try stack.startWorkerProcess()
        let stored = try StoredDocuments(url: stack.mongoURL)
        let deadLength = { try redis.run(RedisCommand("XLEN", StreamLayout.deadLetterStream)).integer ?? -1 }
        let moved = Self.letters - Self.limit
        #expect(
            try await eventually(timeout: .seconds(30)) { try deadLength() == Self.limit && stored.count(StoreCollection.deadLetters) == moved },
            "worker log:\n\(stack.worker?.log ?? "")")

        // The oldest letters moved, with the stream entry's fields; the newest stayed.
        let documents = try stored.find(StoreCollection.deadLetters)
        let remaining = try redis.streamEntries(StreamLayout.deadLetterStream).map(\.id.description)
        let movedIds = documents.compactMap { $0["_id"]?.stringValue }
        #expect(movedIds.count == moved && remaining.count == Self.limit)
        #expect(movedIds.allSatisfy { movedId in remaining.allSatisfy { Self.precedes(movedId, $0) } }, "moved \(movedIds), kept \(remaining)")
        for document in documents {
            let added = { (field: DeadLetterEntry.Field) in document[field.rawValue] }
            #expect(document[StreamLayout.versionField] == .string("1") && added(.stream) == .string(stream) && added(.entryId)?.stringValue != nil)
            #expect(added(.reason)?.stringValue?.contains("delivered") == true && document[StreamLayout.eventField]?.stringValue?.contains("bound-") == true)
            // Moved, `deliveries` is stored as an integer and `failedAt` as a date (ArchivedDeadLetter).
            #expect(
                added(.deliveries)?.objectValue?["$numberLong"] != nil && document.dateMilliseconds(DeadLetterEntry.Field.failedAt.rawValue) != nil,
                "\(document)")
        }
        let log = stack.worker?.log ?? ""
        #expect(log.contains("SLUICE_DEAD_LETTER_LIMIT") && log.contains("SLUICE_DEAD_LETTER_MAX_AGE"), "the start-up summary names the bound")
        let metricsPort = try #require(log.range(of: "metrics on http://127.0.0.1:").map { log[$0.upperBound...].prefix { $0.isNumber } })
        let metrics = String(decoding: try await HTTP.get("http://127.0.0.1:\(metricsPort)/metrics").body, as: UTF8.self)
        #expect(
            metrics.contains("sluice_worker_dead_letters_moved_total \(moved)") && metrics.contains("sluice_worker_dead_letters \(Self.limit)"), "\(metrics)")

        // sluicectl lists both places, shows a moved letter, replays it from MongoDB.
        let list = try sluicectl(stack, ["dead", "list", "--limit", "100", "--json"])
        let listed = try #require(try JSONParser.parse(list.output).objectValue, "\(list.output)")
        #expect(list.status == 0 && listed["total"] == JSONValue.int(Int64(Self.letters)) && listed["inMongo"] == JSONValue.int(Int64(moved)))
        #expect(try sluicectl(stack, ["dead", "list"]).output.components(separatedBy: " deadletters ").count == moved + 1)
        let show = try sluicectl(stack, ["dead", "show", movedIds[0]])
        #expect(show.status == 0 && show.output.contains("where       deadletters"), "\(show.output)")
        let replay = try sluicectl(stack, ["dead", "replay", "--yes", movedIds[0], movedIds[1]])
        #expect(replay.status == 0 && replay.output.contains("replayed 2"), "\(replay.output)")
        #expect(try stored.count(StoreCollection.deadLetters) == moved - 2)
        #expect(try await eventually(timeout: .seconds(20)) { try stored.count(EventKind.event.collection) == 2 }, "worker log:\n\(stack.worker?.log ?? "")")

        // Purge empties both places.
        let purge = try sluicectl(stack, ["dead", "purge", "--all", "--yes"])
        #expect(purge.status == 0 && purge.output.contains("purged \(Self.letters - 2)"), "\(purge.output)")
        #expect(try deadLength() == 0 && stored.count(StoreCollection.deadLetters) == 0)
        try await stack.stop()
    }

    @Test func lettersPastTheMaximumAgeMoveAndAMoveCutShortIsFinished() async throws {
        let stack = try await TestStack(prefix: "deadage", startWorker: false, workerSettings: ["SLUICE_DEAD_LETTER_MAX_AGE": "3600"])
        let redis = try RedisConnection(endpoint: RedisEndpoint(url: stack.redisURL))
        func letter(_ id: String) -> RedisCommand {
            let added = DeadLetterEntry(
                reason: "undecodable: test", stream: StreamLayout.streamKey(partition: 0), entryId: "1-0", deliveries: 1, failedAt: 1000)
            let event = #"{"id":"age-\#(id)","type":"event","visitorId":"v"}"#
            return RedisCommand(
                arguments: ["XADD", StreamLayout.deadLetterStream, id, StreamLayout.eventField, event, StreamLayout.versionField, "1"]
                    + added.fields.flatMap { [$0.name, $0.value] })
        }
        for id in ["1000-0", "2000-0", "3000-0", "*", "*"] { _ = try redis.run(letter(id)) }
        // A worker that crashed after inserting 2000-0 into MongoDB and before deleting it from the stream.
        let store = try StoredDocuments(url: stack.mongoURL)
        let earlier = try #require(try DeadLetterMover.letters(in: redis.run(RedisCommand("XRANGE", StreamLayout.deadLetterStream, "2000-0", "2000-0"))).first)
        #expect(try store.store.archiveDeadLetters([earlier]).stored == ["2000-0"])

        try stack.startWorkerProcess()
        #expect(
            try await eventually(timeout: .seconds(30)) {
                try redis.run(RedisCommand("XLEN", StreamLayout.deadLetterStream)).integer == 2 && store.count(StoreCollection.deadLetters) == 3
            }, "worker log:\n\(stack.worker?.log ?? "")")
        #expect(try store.find(StoreCollection.deadLetters).compactMap { $0["_id"]?.stringValue }.sorted() == ["1000-0", "2000-0", "3000-0"])
        try await stack.stop()
    }

    /// Whether stream id `a` comes before `b`.
    private static func precedes(_ a: String, _ b: String) -> Bool {
        let parse = { (id: String) in id.split(separator: "-").compactMap { UInt64($0) } }
        return parse(a).lexicographicallyPrecedes(parse(b))
    }
}
