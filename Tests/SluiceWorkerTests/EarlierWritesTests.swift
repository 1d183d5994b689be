import SluiceCore
import SluiceMongo
import SluiceRedis
import Testing

@testable import SluiceWorker

/// A duplicate is counted when it is the entry's own earlier write (same `receivedAt`:
/// written before a crash, or stored before the entry was dead-lettered and replayed),
/// never when it is a sender's retry of the event (another request, another stamp).
@Suite struct EarlierWritesTests {
    typealias E = TestEvents

    /// A page view as ingest stamps it.
    static func stamped(_ id: String, receivedAt: Int64) -> String {
        String(E.pageView(id, "v1", "/a", at: 1000).dropLast()) + #","receivedAt":\#(receivedAt)}"#
    }

    func processor(_ bed: DerivedTestBed) -> BatchProcessor {
        BatchProcessor(store: bed.store, enricher: bed.enricher)
    }

    @Test func aReplayedEntryWhoseDocumentWasStoredIsCountedOnceWithItsStoredSession() throws {
        try DerivedTestBed.withFresh { bed in
            let event = Self.stamped("p1", receivedAt: E.base + 1500)
            // Stored, then dead-lettered (acknowledged without its changes) before the step.
            let first = try processor(bed).process(try bed.deliver([event]), sessions: bed.stitcher.on(bed.redis))
            #expect(first.stored == 1 && first.counted.count == 1)
            let storedSession = try #require(first.counted[0].sessionId)
            _ = try bed.redis.run(RedisCommand("XACK", DerivedTestBed.stream, StreamLayout.group, first.acknowledge[0].id))
            // Its replay is a new entry with the same stamp, and the stitcher now opens another session.
            _ = try bed.redis.run(RedisCommand("DEL", StreamLayout.sessionKey(visitorId: "v1", partitions: 1)))
            let replay = try processor(bed).process(try bed.deliver([event]), sessions: bed.stitcher.on(bed.redis))
            #expect(replay.stored == 0 && replay.duplicates == 1)
            #expect(replay.counted.map(\.sessionId) == [storedSession])
        }
    }

    @Test func aSendersRetryIsNotCounted() throws {
        try DerivedTestBed.withFresh { bed in
            let first = try processor(bed).process(try bed.deliver([Self.stamped("p1", receivedAt: E.base + 1500)]), sessions: bed.stitcher.on(bed.redis))
            #expect(first.counted.count == 1)
            let retry = try processor(bed).process(try bed.deliver([Self.stamped("p1", receivedAt: E.base + 9000)]), sessions: bed.stitcher.on(bed.redis))
            #expect(retry.duplicates == 1 && retry.counted.isEmpty && retry.acknowledge.count == 1)
        }
    }

    @Test func aDuplicateOnAnotherUniqueIndexThatIsTheEntrysOwnWriteIsStoredNotRejected() throws {
        try DerivedTestBed.withFresh { bed in
            let event = Self.stamped("p1", receivedAt: E.base + 1500)
            _ = try processor(bed).process(try bed.deliver([event]), sessions: bed.stitcher.on(bed.redis))
            // A unique index on a field the document holds: the same document again clashes on it too.
            try bed.store.createIndexes(collection: EventKind.pageview.collection, indexes: [IndexSpec(name: "path_unique", keys: [("path", 1)], unique: true)])
            let again = try processor(bed).process(try bed.deliver([event]), sessions: bed.stitcher.on(bed.redis))
            #expect(again.deadLetters.isEmpty && again.acknowledge.count == 1 && again.counted.count == 1)
            // Another event clashing on that index alone is still rejected.
            let other = try processor(bed).process(try bed.deliver([Self.stamped("p2", receivedAt: E.base + 1600)]), sessions: bed.stitcher.on(bed.redis))
            #expect(other.deadLetters.count == 1 && other.counted.isEmpty)
        }
    }
}
