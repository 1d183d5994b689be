import SluiceCore
import SluiceRedis
import Testing

@testable import SluiceControl

@Suite("dead replay against Redis")
struct DeadReplayTests {
    private func replay(_ redis: TestRedis, _ scope: DeadLetterScope, reason: String? = nil, partitions: Int = 4) throws -> DeadLetterReplay.Outcome {
        let replay = DeadLetterReplay(queue: redis.queue, partitions: partitions)
        return try replay.run(try replay.plan(scope, reason: reason))
    }

    @Test func movesLettersBackWithIdenticalFields() throws {
        let redis = try TestRedis.fresh()
        let first = try redis.seed(eventId: "ev-a", stream: StreamLayout.streamKey(partition: 1))
        let second = try redis.seed(eventId: "ev-b", stream: StreamLayout.streamKey(partition: 3))
        let before = try redis.entries(StreamLayout.deadLetterStream)

        let outcome = try replay(redis, .all)
        #expect(outcome.replayed == 2 && outcome.skipped.isEmpty && outcome.failed.isEmpty)
        #expect(try redis.length(StreamLayout.deadLetterStream) == 0)
        for (stream, id) in [(StreamLayout.streamKey(partition: 1), first), (StreamLayout.streamKey(partition: 3), second)] {
            let original = try #require(before.first { $0.id == id }).fields
            let replayed = try redis.entries(stream)
            #expect(replayed.count == 1)
            #expect(replayed.first?.fields == ["v": try #require(original["v"]), "e": try #require(original["e"])])
        }
        #expect(try redis.length(StreamLayout.streamKey(partition: 0)) == 0)
    }

    @Test func replayingTwiceFindsNothingTheSecondTime() throws {
        let redis = try TestRedis.fresh()
        for _ in 0..<3 { try redis.seed() }
        #expect(try replay(redis, .all).replayed == 3)
        let again = try replay(redis, .all)
        #expect(again.replayed == 0 && again.skipped.isEmpty)
        #expect(try redis.length(StreamLayout.streamKey(partition: 0)) == 3)
    }

    @Test func dryRunChangesNothing() throws {
        let redis = try TestRedis.fresh()
        for n in 1...3 { try redis.seed(id: "\(n)-0") }
        try redis.seed(id: "4-0", stream: StreamLayout.deadLetterStream)
        let before = try redis.entries(StreamLayout.deadLetterStream)
        var visited: [String] = []
        let plan = try DeadLetterReplay(queue: redis.queue, partitions: 4).plan(.all, reason: nil) { visited.append($0.id) }
        #expect(plan.ids == ["1-0", "2-0", "3-0"] && visited == plan.ids && plan.skipped.map(\.id) == ["4-0"])
        try redis.run(["dead", "replay", "--all", "--dry-run"])
        #expect(try redis.entries(StreamLayout.deadLetterStream).map(\.id) == before.map(\.id))
        #expect(try redis.length(StreamLayout.streamKey(partition: 0)) == 0)
    }

    @Test func unreplayableLettersAreSkippedAndKept() throws {
        let redis = try TestRedis.fresh()
        let good = try redis.seed(stream: StreamLayout.streamKey(partition: 2))
        let badStream = try redis.seed(stream: "orders")
        let outOfRange = try redis.seed(stream: StreamLayout.streamKey(partition: 9))
        let noVersion = try redis.seed(version: nil)
        _ = try redis.connection.run(RedisCommand("SET", StreamLayout.streamKey(partition: 3), "not a stream"))
        let wrongType = try redis.seed(stream: StreamLayout.streamKey(partition: 3))

        let outcome = try replay(redis, .all)
        #expect(outcome.replayed == 1 && outcome.failed.isEmpty)
        #expect(Set(outcome.skipped.map(\.id)) == [badStream, outOfRange, noVersion, wrongType])
        #expect(Set(try redis.entries(StreamLayout.deadLetterStream).map(\.id)) == [badStream, outOfRange, noVersion, wrongType])
        #expect(try redis.length(StreamLayout.streamKey(partition: 2)) == 1)
        #expect(try !redis.entries(StreamLayout.deadLetterStream).contains { $0.id == good })
    }

    @Test func namedIdsAndReasonFilter() throws {
        let redis = try TestRedis.fresh()
        try redis.seed(reason: "Timeout while writing")
        let duplicate = try redis.seed(reason: "E11000 duplicate key")
        try redis.seed(reason: "timeout again")

        let named = try replay(redis, .ids([duplicate, "1-0"]))
        #expect(named.replayed == 1 && named.skipped.map(\.id) == ["1-0"])
        let filtered = try replay(redis, .all, reason: "TIMEOUT")
        #expect(filtered.replayed == 2)
        #expect(try redis.length(StreamLayout.deadLetterStream) == 0)
        #expect(try redis.entries(StreamLayout.streamKey(partition: 0)).count == 3)
    }

    @Test func largeReplayInChunks() throws {
        let redis = try TestRedis.fresh()
        var commands: [RedisCommand] = []
        for n in 0..<1_200 {
            let added = DeadLetterEntry(
                reason: "E11000", stream: StreamLayout.streamKey(partition: n % 4), entryId: "1-0", deliveries: 1, failedAt: TestRedis.failedAt)
            commands.append(
                RedisCommand(
                    arguments: ["XADD", StreamLayout.deadLetterStream, "*", "e", #"{"id":"ev-\#(n)","type":"page"}"#, "v", "1"]
                        + added.fields.flatMap { [$0.name, $0.value] }))
        }
        _ = try redis.connection.pipeline(commands)
        var replay = DeadLetterReplay(queue: redis.queue, partitions: 4)
        replay.chunkSize = 100
        var reported: [Int] = []
        let outcome = try replay.run(try replay.plan(.all, reason: nil)) { reported.append($0) }
        #expect(outcome.replayed == 1_200)
        #expect(reported.count == 20 && reported.last == 1_200)  // chunks of 60: progress moves every 5%
        #expect(try (0..<4).map { try redis.length(StreamLayout.streamKey(partition: $0)) } == [300, 300, 300, 300])
        // Oldest first: each partition gets its events in their dead-letter order.
        #expect(
            try redis.entries(StreamLayout.streamKey(partition: 1)).prefix(2).map { $0.fields["e"] } == [
                #"{"id":"ev-1","type":"page"}"#, #"{"id":"ev-5","type":"page"}"#,
            ])
    }

    @Test func commandReplaysWithYes() throws {
        let redis = try TestRedis.fresh()
        try redis.seed(stream: StreamLayout.streamKey(partition: 1))
        try redis.seed(stream: "elsewhere")
        try redis.run(["dead", "replay", "--all", "--yes", "--partitions", "2"])
        #expect(try redis.length(StreamLayout.streamKey(partition: 1)) == 1)
        #expect(try redis.length(StreamLayout.deadLetterStream) == 1)
    }

    /// The cluster path's append (no transaction spans the stream and `events:dead`): run
    /// again after a crash between append and delete, it appends nothing twice, so the
    /// derived data does not count the event twice.
    @Test func theMarkedAppendOfAClusterReplayAppendsALetterOnce() throws {
        let redis = try TestRedis.fresh()
        let id = try redis.seed()
        let letter = try #require(try redis.queue.letters(ids: [id])[id])
        let stream = try #require(letter.stream)
        let first = try redis.connection.send(DeadLetterReplay.markedAppendCommand(letter))
        #expect(first.text.flatMap(StreamID.init) != nil, "the first run appends: \(first)")
        #expect(try redis.connection.send(DeadLetterReplay.markedAppendCommand(letter)).text == "replayed before")
        let entries = try redis.connection.streamEntries(stream)
        #expect(entries.count == 1 && entries[0].value(StreamLayout.eventField) == letter.value(StreamLayout.eventField))
        let mark = StreamLayout.replayMarkKey(stream: stream, letterId: id)
        #expect(HashSlot.of(mark) == HashSlot.of(stream), "the mark shares the stream's slot")
        #expect((1...DeadLetterReplay.replayMarkSeconds).contains(Int(try redis.connection.run(RedisCommand("TTL", mark)).integer ?? -1)))
    }
}
