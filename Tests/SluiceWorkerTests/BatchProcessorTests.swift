import SluiceCore
import SluiceMongo
import SluiceUserAgent
import Testing

@testable import SluiceRedis
@testable import SluiceWorker

/// `BatchProcessor`'s decisions without a server, behind its seams: what a batch
/// acknowledges, counts, dead-letters or hands back for a retry, given what the store
/// answers (`MemoryBatchStore`) and the sessions it is given (`FixedSessions`). The same
/// processor against real MongoDB and Redis: `EarlierWritesTests` and the integration tests.
@Suite struct BatchProcessorTests {
    typealias E = TestEvents

    static let userAgents = Result { () throws(UserAgentError) in try CachedUserAgentParser(parser: UserAgentParser()) }
    static let browser = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
    static let crawler = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"

    func processor(_ store: MemoryBatchStore) throws -> BatchProcessor {
        BatchProcessor(store: store, enricher: EventEnricher(userAgents: try Self.userAgents.get(), maxEventAgeMilliseconds: 7 * 86_400_000))
    }

    /// An entry of partition 0 holding `event` as ingest stamps it (`receivedAt`, user agent).
    static func entry(_ id: String, _ event: String, receivedAt: Int64 = E.base + 500, userAgent: String = browser) -> StreamMessage {
        let stamped = String(event.dropLast()) + #","receivedAt":\#(receivedAt),"ua":"\#(userAgent)"}"#
        return StreamMessage(
            stream: StreamLayout.streamKey(partition: 0), id: id,
            fields: [StreamLayout.versionField: Array(StreamLayout.schemaVersion.utf8), StreamLayout.eventField: Array(stamped.utf8)])
    }

    @Test func newEventsAreStoredCountedAndGivenSessionsUnlessBots() throws {
        let store = MemoryBatchStore()
        let sessions = FixedSessions()
        let result = try processor(store).process(
            [
                Self.entry("1-0", E.pageView("p1", "v1", "/a", at: 0)), Self.entry("1-1", E.click("c1", "v1", at: 1000)),
                Self.entry("1-2", E.pageView("p2", "v2", "/b", at: 2000), userAgent: Self.crawler),
            ], sessions: sessions)
        #expect(Set(result.acknowledge.map(\.id)) == ["1-0", "1-1", "1-2"])
        #expect(result.stored == 3 && result.duplicates == 0 && result.deadLetters.isEmpty)
        #expect(result.counted.count == 3)
        // Only the person's two events asked for a session; the crawler's has none.
        #expect(sessions.asked.map(\.visitorId) == ["v1", "v1"])
        let bot = try #require(result.counted.first { $0.visitorId == "v2" })
        #expect(bot.isBot && bot.sessionId == nil)
        #expect(store.documents[EventKind.pageview.collection]?[ScopedID.key(site: nil, visitor: "v1", id: "p1")]?["sessionId"] == .string("s-v1"))
        // Live counters: the three new events, two of them page views, and only the person.
        let live = result.live.commands(now: E.base).map(Self.arguments)
        #expect(live.contains(["INCRBY", LiveCounters.eventsKey(minuteOf: E.base), "3"]))
        #expect(live.contains(["INCRBY", LiveCounters.pageViewsKey(minuteOf: E.base), "2"]))
        let visitors = try #require(live.first { $0.starts(with: ["ZADD", LiveCounters.visitorsKey]) })
        #expect(visitors.contains("v1") && !visitors.contains("v2"))
    }

    /// A collection's bulk sends its inserts before its updates: feedback that came before
    /// its chat in the same batch finds the chat's document, and both are counted once.
    @Test func feedbackBeforeItsChatInOneBatchFindsTheChatsDocument() throws {
        let store = MemoryBatchStore()
        let result = try processor(store).process(
            [
                Self.entry("2-0", E.feedback("f1", "v1", on: "c1", satisfied: true, at: 500)), Self.entry("2-1", E.chat("c1", "v1", at: 0)),
                Self.entry("2-2", E.chat("c2", "v1", at: 1000)),
            ], sessions: FixedSessions())
        #expect(result.deadLetters.isEmpty && Set(result.acknowledge.map(\.id)) == ["2-0", "2-1", "2-2"])
        #expect(Set(result.counted.map(\.decoded.message.id)) == ["2-0", "2-1", "2-2"])
        let chat = try #require(store.documents[EventKind.chat.collection]?[ScopedID.key(site: nil, visitor: "v1", id: "c1")])
        #expect(chat["satisfied"] == .bool(true) && chat["sessionId"] == .string("s-v1"), "\(chat)")
        #expect(store.writes == [EventKind.chat.collection])
    }

    @Test func insertsGoBeforeUpdatesEachInBatchOrder() {
        let insert = BulkOperation.insert(BSONDocumentBuilder())
        let update = BulkOperation.upsert(filter: BSONDocumentBuilder(), update: BSONDocumentBuilder())
        let (indexes, operations) = BatchProcessor.insertsFirst([(4, update), (7, insert), (2, update), (9, insert)])
        #expect(indexes == [7, 9, 4, 2])
        #expect(operations.map(\.isInsert) == [true, true, false, false])
    }

    /// A command's arguments as text.
    static func arguments(_ command: RedisCommand) -> [String] {
        var offset = 0
        return command.lengths.map { length in
            defer { offset += length }
            return String(decoding: command.bytes[offset..<offset + length], as: UTF8.self)
        }
    }

    @Test func aDeletedEntryIsAcknowledgedAndAnUndecodableOneDeadLettered() throws {
        let store = MemoryBatchStore()
        let garbage = StreamMessage(
            stream: StreamLayout.streamKey(partition: 0), id: "2-1",
            fields: [StreamLayout.versionField: Array("1".utf8), StreamLayout.eventField: Array("{".utf8)])
        let result = try processor(store).process(
            [StreamMessage(stream: StreamLayout.streamKey(partition: 0), id: "2-0", fields: nil), garbage], sessions: FixedSessions())
        #expect(result.acknowledge.map(\.id) == ["2-0"])
        #expect(result.deadLetters.map(\.message.id) == ["2-1"])
        #expect(result.deadLetters.first?.reason.hasPrefix("undecodable") == true)
        #expect(result.stored == 0 && store.writes.isEmpty)
    }

    /// A sender's retry is another request, stamped at another time: acknowledged as a
    /// duplicate and not counted again.
    @Test func aSendersRetryIsADuplicateNotCountedAgain() throws {
        let store = MemoryBatchStore()
        let event = E.click("c1", "v1", at: 1000)
        _ = try processor(store).process([Self.entry("3-0", event, receivedAt: E.base + 1500)], sessions: FixedSessions())
        let retry = try processor(store).process([Self.entry("3-1", event, receivedAt: E.base + 9000)], sessions: FixedSessions())
        #expect(retry.acknowledge.map(\.id) == ["3-1"])
        #expect(retry.stored == 0 && retry.duplicates == 1 && retry.counted.isEmpty)
        #expect(retry.live.commands(now: E.base).isEmpty)
    }

    /// The entry's own earlier write (same `receivedAt`: stored before a crash kept it from
    /// being acknowledged) is counted, with the session its document names.
    @Test func anEntrysOwnEarlierWriteIsCountedWithItsStoredSession() throws {
        let store = MemoryBatchStore()
        let event = Self.entry("4-0", E.click("c1", "v1", at: 1000), receivedAt: E.base + 1500)
        _ = try processor(store).process([event], sessions: FixedSessions(prefix: "first"))
        let again = try processor(store).process([event], sessions: FixedSessions(prefix: "second"))
        #expect(again.duplicates == 1 && again.counted.count == 1)
        #expect(again.counted.first?.sessionId == "first-v1")
    }

    /// A document the store refuses is dead-lettered with its collection and the reason;
    /// the rest of the batch is acknowledged.
    @Test func aRefusedDocumentIsDeadLetteredAndTheRestAcknowledged() throws {
        let store = MemoryBatchStore()
        store.refuse = { collection, id in
            id == ScopedID.key(site: nil, visitor: "v1", id: "c2") ? BulkWriteFailure(index: 0, code: 14, message: "Cannot apply to a non-numeric field") : nil
        }
        let result = try processor(store).process(
            [Self.entry("5-0", E.click("c1", "v1", at: 1000)), Self.entry("5-1", E.click("c2", "v1", at: 2000))], sessions: FixedSessions())
        #expect(result.acknowledge.map(\.id) == ["5-0"])
        #expect(result.deadLetters.map(\.message.id) == ["5-1"])
        let reason = try #require(result.deadLetters.first?.reason)
        #expect(reason.contains(EventKind.event.collection) && reason.contains("non-numeric"), "\(reason)")
        #expect(result.stored == 1 && result.counted.count == 1)
    }

    /// Two upserts racing to create one document: the loser did not apply, so the whole
    /// batch is handed back for a retry, nothing acknowledged.
    @Test func aRacedUpsertHandsTheBatchBack() throws {
        let store = MemoryBatchStore()
        store.refuse = { collection, id in
            collection == EventKind.feedback.collection ? BulkWriteFailure(index: 0, code: 11000, message: "E11000 duplicate key") : nil
        }
        let racing = try processor(store)
        do throws(BatchFailure) {
            _ = try racing.process([Self.entry("6-0", E.feedback("f1", "v1", on: "chat-1", satisfied: true, at: 1000))], sessions: FixedSessions())
            Issue.record("a raced upsert was not handed back")
        } catch {
            guard case .raced(let collection, _) = error else { throw error }
            #expect(collection == EventKind.feedback.collection)
        }
    }

    /// A store that cannot be reached, or Redis failing to give sessions: nothing is
    /// acknowledged; the failure says which, for the retry policy.
    @Test func unreachableServersFailTheBatchWithTheirCause() throws {
        let store = MemoryBatchStore()
        store.unreachable = true
        let unreachable = try processor(store)
        do throws(BatchFailure) {
            _ = try unreachable.process([Self.entry("7-0", E.click("c1", "v1", at: 1000))], sessions: FixedSessions())
            Issue.record("an unreachable store was not reported")
        } catch {
            guard case .storeUnreachable = error else { throw error }
        }
        let reachable = try processor(MemoryBatchStore())
        do throws(BatchFailure) {
            _ = try reachable.process([Self.entry("7-1", E.click("c1", "v1", at: 1000))], sessions: FixedSessions(failing: true))
            Issue.record("a Redis failure was not reported")
        } catch {
            guard case .redis = error else { throw error }
        }
    }
}
