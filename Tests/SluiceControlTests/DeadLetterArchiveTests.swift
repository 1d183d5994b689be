import Foundation
import SluiceCore
import SluiceMongo
import SluiceRedis
import SluiceTestSupport
import Testing

@testable import SluiceControl

/// Letters the worker moved from `events:dead` to MongoDB's `deadletters`: every `dead`
/// command still sees them, beside the letters left in the stream.
@Suite("dead letters moved to MongoDB")
struct DeadLetterArchiveTests {
    /// A letter as the worker writes it, then moves it: the stream entry's fields, keyed by its dead-letter id.
    private func moved(
        _ id: String, eventId: String = UUID().uuidString, reason: String = "delivered 6 times", stream: String = StreamLayout.streamKey(partition: 1),
        event: [UInt8]? = nil
    )
        -> ArchivedDeadLetter
    {
        let e = event ?? Array(#"{"id":"\#(eventId)","type":"event","visitorId":"visitor-1","eventType":"t","eventName":"n"}"#.utf8)
        let added = DeadLetterEntry(reason: reason, stream: stream, entryId: "1700000000000-0", deliveries: 6, failedAt: TestRedis.failedAt)
        let fields: [(String, [UInt8])] = [("e", e), ("v", Array("1".utf8))] + added.fields.map { ($0.name, Array($0.value.utf8)) }
        return ArchivedDeadLetter(id: id, fields: fields.map { .init(name: $0.0, value: $0.1) })
    }

    private func archive(_ letters: [ArchivedDeadLetter], in mongo: TestMongo) throws {
        let (stored, refused) = try mongo.store.archiveDeadLetters(letters)
        try #require(stored == letters.map(\.id) && refused.isEmpty, "\(refused)")
    }

    /// The `redis` test's own `deadletters` (the database `sluicectl` gets in `TestRedis.run`).
    private func withMongo(of redis: TestRedis, _ body: (TestMongo) throws -> Void) throws {
        let url = try redis.mongoURL
        try FreshMongoDatabase.withStore(url: url, appName: "sluice-control-tests") { store in try body(TestMongo(url: url, store: store)) }
    }

    @Test func aMovedLetterReadsBackAsTheStreamHeldIt() throws {
        try TestMongo.withFresh { mongo in
            let notUTF8: [UInt8] = [0x7B, 0xFF, 0xFE, 0x00, 0x7D]
            let letter = moved("1700000000005-12", event: notUTF8)
            try archive([letter], in: mongo)
            // Moving it again (a worker that crashed before its XDEL) is a no-op, not an error.
            let again = try mongo.store.archiveDeadLetters([letter])
            #expect(again.stored == [letter.id] && again.refused.isEmpty)
            let back = try #require(try DeadLetterArchive(store: mongo.store).letters(ids: [letter.id])[letter.id])
            #expect(back.place == .archive)
            #expect(back.fields.map(\.name) == letter.fields.map(\.name))
            #expect(back.fields.map(\.value) == letter.fields.map(\.value))
            let document = try #require(try mongo.store.findCanonicalJSON(collection: StoreCollection.deadLetters, filterJSON: "{}").first)
            // The stored document's bytes on purpose, field names spelled out: what `deadletters` holds must not drift.
            #expect(document.contains(#""deliveries" : { "$numberLong" : "6" }"#) && document.contains(#""failedAt" : { "$date""#), "\(document)")
            #expect(document.contains(#""e" : { "$binary""#) && document.contains(#""_id" : "1700000000005-12""#))
        }
    }

    @Test func listAndShowSeeBothPlaces() throws {
        let redis = try TestRedis.fresh()
        try withMongo(of: redis) { mongo in
            let inStream = try redis.seed(reason: "E11000 duplicate key")
            try archive([moved("5-0", reason: "delivered 6 times"), moved("6-0", reason: "Document failed validation")], in: mongo)
            let archive = DeadLetterArchive(store: mongo.store)
            #expect(try archive.count() == 2)
            #expect(try archive.newest(limit: 5, reason: nil).map(\.id).sorted() == ["5-0", "6-0"])
            #expect(try archive.newest(limit: 5, reason: "VALIDATION").map(\.id) == ["6-0"])
            let letters = try redis.queue.newest(limit: 5, reason: nil) + archive.newest(limit: 4, reason: nil)
            let text = DeadLetterTable.text(letters, counts: .init(stream: 1, archive: 2), reason: nil, width: nil)
            let lines = text.split(separator: "\n")
            #expect(lines[1].hasPrefix("\(inStream)  \(StreamLayout.deadLetterStream)"))
            #expect(lines[2].contains(" \(StoreCollection.deadLetters) ") && lines[3].contains(" \(StoreCollection.deadLetters) "))
            #expect(lines.last == "shown 3 of 3 dead letters: 1 in \(StreamLayout.deadLetterStream), 2 in \(StoreCollection.deadLetters)")
            try redis.run(["dead", "list"])
            try redis.run(["dead", "show", "5-0"])
            #expect(throws: ControlError.self) { try redis.run(["dead", "show", "7-0"]) }
        }
    }

    @Test func purgeDeletesFromBothPlaces() throws {
        let redis = try TestRedis.fresh()
        try withMongo(of: redis) { mongo in
            for _ in 0..<3 { try redis.seed() }
            try archive([moved("5-0"), moved("6-0"), moved("7-0", reason: "timeout")], in: mongo)
            let purge = DeadLetterPurge(queue: redis.queue, archive: DeadLetterArchive(store: mongo.store))
            let named = try purge.plan(.ids(["6-0", "1-0"]), reason: nil)
            #expect(named.archivedIds == ["6-0"] && named.ids.isEmpty && named.missing == ["1-0"])
            #expect(try purge.run(named) == 1)
            try redis.run(["dead", "purge", "--all", "--yes"])
            #expect(try redis.length(StreamLayout.deadLetterStream) == 0)
            #expect(try mongo.store.countDocuments(collection: StoreCollection.deadLetters, filterJSON: "{}") == 0)
        }
    }

    @Test func replayRequeuesFromMongoDBAndRemovesTheLetterThere() throws {
        let redis = try TestRedis.fresh()
        try withMongo(of: redis) { mongo in
            let stays = try redis.seed(stream: StreamLayout.streamKey(partition: 2))
            try archive(
                [moved("5-0", eventId: "ev-a", stream: StreamLayout.streamKey(partition: 1)), moved("6-0", eventId: "ev-b", stream: "orders")], in: mongo)
            let replay = DeadLetterReplay(queue: redis.queue, partitions: 4, archive: DeadLetterArchive(store: mongo.store))
            let plan = try replay.plan(.ids(["5-0", "6-0"]), reason: nil)
            #expect(plan.archivedIds == ["5-0"] && plan.skipped.map(\.id) == ["6-0"])
            let outcome = try replay.run(plan)
            #expect(outcome.replayed == 1 && outcome.failed.isEmpty)
            let replayed = try redis.entries(StreamLayout.streamKey(partition: 1))
            #expect(replayed.count == 1 && replayed.first?.fields["e"]?.contains(#""id":"ev-a""#) == true && replayed.first?.fields["v"] == "1")
            #expect(try mongo.ids(StoreCollection.deadLetters) == ["6-0"])
            #expect(try redis.entries(StreamLayout.deadLetterStream).map(\.id) == [stays])
            try redis.run(["dead", "replay", "--all", "--yes"])
            #expect(try redis.length(StreamLayout.deadLetterStream) == 0 && redis.length(StreamLayout.streamKey(partition: 2)) == 1)
            #expect(try mongo.ids(StoreCollection.deadLetters) == ["6-0"])  // not a partition: kept, never dropped
        }
    }

    @Test func eraseRemovesAVisitorsMovedLettersToo() throws {
        let redis = try TestRedis.fresh()
        try TestMongo.withFresh { mongo in
            try redis.seed()  // visitor-1's letter still in the stream
            let someoneElse = Array(#"{"id":"ev-2","type":"event","visitorId":"visitor-2"}"#.utf8)
            try archive([moved("5-0"), moved("6-0", event: someoneElse)], in: mongo)
            let erasure = Erasure(store: mongo.store, redis: redis.connection, partitions: 4, dryRun: false)
            let letters = try #require(try erasure.deadLetters(of: [.visitor("visitor-1")]).first)
            #expect(letters.ids.count == 1 && letters.archivedIds == ["5-0"])
            #expect(try erasure.eraseDeadLetters(letters) == 2)
            #expect(try mongo.ids(StoreCollection.deadLetters) == ["6-0"] && redis.length(StreamLayout.deadLetterStream) == 0)
        }
    }
}
