import Foundation
import SluiceCore
import SluiceMongo
import SluiceRedis
import Testing

@testable import SluiceControl

@Suite("erase against Redis and SecantusDB")
struct EraseTests {
    /// Runs `sluicectl` against both test servers.
    private func run(_ arguments: [String], _ redis: TestRedis, _ mongo: TestMongo) throws {
        try redis.run(arguments + ["--mongo-url", mongo.url])
    }

    /// A dead letter whose event has these ids.
    @discardableResult
    private func deadLetter(_ redis: TestRedis, visitorId: String, userId: String? = nil) throws -> String {
        let user = userId.map { #","userId":"\#($0)""# } ?? ""
        return try redis.seed(event: #"{"id":"ev-\#(visitorId)","type":"event","visitorId":"\#(visitorId)"\#(user)}"#)
    }

    /// The visitor's session pointer (to a session with no document), its derived
    /// state and that of its first stored session, as the worker keeps them.
    private func setSessionKeys(_ redis: TestRedis, _ visitorId: String, storedSession: String) throws {
        let keys = Erasure.redisKeys(visitorId: visitorId, sessionIds: [storedSession], partitions: 4)
        _ = try redis.connection.run(RedisCommand("HSET", keys[0], "id", "s-\(visitorId)", "last", "1"))
        _ = try redis.connection.run(RedisCommand("HSET", keys[1], "first", "1", "last", "1"))
        _ = try redis.connection.run(RedisCommand("HSET", keys[2], "start", "1", "last", "1"))
    }

    private func keyExists(_ redis: TestRedis, _ visitorId: String) throws -> Bool {
        let keys = Erasure.redisKeys(visitorId: visitorId, sessionIds: [], partitions: 4)
        return try redis.connection.run(RedisCommand(arguments: ["EXISTS"] + keys)).integer == 2
    }

    @Test func aVisitorIsErasedEverywhereOthersAreKeptAndASecondRunFindsNothing() throws {
        let redis = try TestRedis.fresh()
        try TestMongo.withFresh { mongo in
            for collection in Erasure.eventCollections {
                try mongo.insert(collection, [("\(collection)-a1", "v-a", nil), ("\(collection)-a2", "v-a", "u-a"), ("\(collection)-b1", "v-b", nil)])
            }
            try mongo.insert(StoreCollection.sessions, [("s-a1", "v-a", nil), ("s-a2", "v-a", nil), ("s-b1", "v-b", nil)])
            try mongo.insertVisitor("v-a")
            try mongo.insertVisitor("v-b")
            try setSessionKeys(redis, "v-a", storedSession: "s-a1")
            try setSessionKeys(redis, "v-b", storedSession: "s-b1")
            try deadLetter(redis, visitorId: "v-a")
            try deadLetter(redis, visitorId: "v-a")
            let kept = try deadLetter(redis, visitorId: "v-b")

            let sessionsAndVisitor = [StoreCollection.sessions: 2, StoreCollection.visitors: 1]
            let expected = ErasureCounts(
                documents: Dictionary(uniqueKeysWithValues: Erasure.eventCollections.map { ($0, 2) }).merging(sessionsAndVisitor) { $1 },
                redisKeys: 3, deadLetters: 2)
            #expect(try counts(of: .visitor("v-a"), redis, mongo, dryRun: true) == expected)
            try run(["erase", "--visitor", "v-a", "--dry-run"], redis, mongo)
            #expect(try mongo.ids(EventKind.pageview.collection).count == 3 && keyExists(redis, "v-a") && redis.length(StreamLayout.deadLetterStream) == 3)

            #expect(try counts(of: .visitor("v-a"), redis, mongo, dryRun: false) == expected)
            for collection in Erasure.eventCollections {
                #expect(try mongo.ids(collection) == ["\(collection)-b1"])
            }
            #expect(try mongo.ids(StoreCollection.sessions) == ["s-b1"] && mongo.ids(StoreCollection.visitors) == ["v-b"])
            #expect(try !keyExists(redis, "v-a") && keyExists(redis, "v-b"))
            #expect(try redis.entries(StreamLayout.deadLetterStream).map(\.id) == [kept])

            #expect(try counts(of: .visitor("v-a"), redis, mongo, dryRun: false).total == 0)
            try run(["erase", "--visitor", "v-a", "--yes"], redis, mongo)
            #expect(try mongo.ids(StoreCollection.visitors) == ["v-b"])
        }
    }

    @Test func aUserIsErasedWithEveryLinkedVisitor() throws {
        let redis = try TestRedis.fresh()
        try TestMongo.withFresh { mongo in
            try mongo.insertVisitor("v-1", userIds: ["u-1"])
            try mongo.insertVisitor("v-4", userIds: ["u-2"])
            try mongo.insert(StoreCollection.sessions, [("s-3", "v-3", "u-1"), ("s-4", "v-4", "u-2")])
            // v-2 is linked by one event only; its anonymous page views go too.
            try mongo.insert(EventKind.pageview.collection, [("p-1", "v-1", nil), ("p-2", "v-2", nil), ("p-4", "v-4", nil)])
            try mongo.insert(EventKind.event.collection, [("e-2", "v-2", "u-1"), ("e-4", "v-4", "u-2")])
            // Without a visitorId: found by its userId alone, and it must not stop the search.
            try mongo.insert(EventKind.api.collection, [("a-x", nil, "u-1"), ("a-3", "v-3", nil)])
            // The pointer names session s-<visitor>, found through it though it has no document yet.
            for visitor in ["v-1", "v-2", "v-4"] { try setSessionKeys(redis, visitor, storedSession: "s-\(visitor)") }
            try deadLetter(redis, visitorId: "v-9", userId: "u-1")
            try deadLetter(redis, visitorId: "v-2")
            let kept = try deadLetter(redis, visitorId: "v-4")

            let erasure = Erasure(store: mongo.store, redis: redis.connection, partitions: 4, dryRun: false)
            let subject = try erasure.subject(forUser: "u-1")
            #expect(subject.visitorIds == ["v-1", "v-3", "v-2"])
            #expect(subject.label == "user u-1 (visitors v-1, v-3, v-2)")
            let counts = try counts(of: subject, redis, mongo, dryRun: false)
            #expect(
                counts.documents == [
                    EventKind.pageview.collection: 2, EventKind.chat.collection: 0, EventKind.tool.collection: 0, EventKind.lab.collection: 0,
                    EventKind.event.collection: 1, EventKind.api.collection: 2, StoreCollection.sessions: 1, StoreCollection.visitors: 1,
                ])
            #expect(counts.redisKeys == 6 && counts.deadLetters == 2)

            #expect(
                try mongo.ids(EventKind.pageview.collection) == ["p-4"] && mongo.ids(EventKind.event.collection) == ["e-4"]
                    && mongo.ids(EventKind.api.collection).isEmpty)
            #expect(try mongo.ids(StoreCollection.sessions) == ["s-4"] && mongo.ids(StoreCollection.visitors) == ["v-4"])
            #expect(try keyExists(redis, "v-4") && !keyExists(redis, "v-1"))
            #expect(try redis.entries(StreamLayout.deadLetterStream).map(\.id) == [kept])

            let again = try erasure.subject(forUser: "u-1")
            #expect(again.visitorIds.isEmpty)
            #expect(try self.counts(of: again, redis, mongo, dryRun: false).total == 0)
            try run(["erase", "--user", "u-1", "--yes"], redis, mongo)
        }
    }

    @Test func waitingEntriesAreTheUndeliveredAndTheUnacknowledged() throws {
        let redis = try TestRedis.fresh()
        let stream = StreamLayout.streamKey(partition: StreamLayout.partition(visitorId: "v-w", partitions: 4))
        func append(_ visitorId: String) throws -> String {
            try #require(redis.connection.run(RedisCommand("XADD", stream, "*", "v", "1", "e", #"{"id":"x","visitorId":"\#(visitorId)"}"#)).text)
        }
        _ = try redis.connection.run(RedisCommand("XGROUP", "CREATE", stream, StreamLayout.group, "0", "MKSTREAM"))
        let first = try append("v-w")
        for visitor in ["v-other", "v-w", "v-w", "v-w"] { _ = try append(visitor) }
        // Delivered: the first three; acknowledged: the first. Waiting for v-w: one pending, two undelivered.
        _ = try redis.connection.run(RedisCommand("XREADGROUP", "GROUP", StreamLayout.group, "c1", "COUNT", "3", "STREAMS", stream, ">"))
        _ = try redis.connection.run(RedisCommand("XACK", stream, StreamLayout.group, first))

        var scan = WaitingEntries(redis: redis.connection, partitions: 4)
        scan.pageSize = 2
        #expect(try scan.scan([.visitor("v-w")]) == [[.init(stream: stream, count: 3)]])
        #expect(try scan.scan([.visitor("v-nobody-\(UUID())"), .visitor("v-w")]).last == [.init(stream: stream, count: 3)])
        scan.limit = 2
        #expect(try scan.scan([.visitor("v-w")]) == [[.init(stream: stream, count: 1, truncated: true)]])
        scan.limit = 3  // a last page smaller than pageSize is still cut short
        #expect(try scan.scan([.visitor("v-w")]) == [[.init(stream: stream, count: 2, truncated: true)]])

        // Without a group nothing was delivered: every entry waits. Without a stream nothing does.
        _ = try redis.connection.run(RedisCommand("XGROUP", "DESTROY", stream, StreamLayout.group))
        scan.limit = 100
        #expect(try scan.scan([.visitor("v-w")]) == [[.init(stream: stream, count: 4)]])
        _ = try redis.connection.run(RedisCommand("DEL", stream))
        #expect(try scan.scan([.visitor("v-w")]) == [[]])
    }

    @Test func unreachableServersAreOneClearError() throws {
        let redis = try TestRedis.fresh()
        let mongo = "mongodb://127.0.0.1:1/x?serverSelectionTimeoutMS=300&connectTimeoutMS=300"
        let mongoError = try #require(throws: ControlError.self) { try redis.run(["erase", "--visitor", "v", "--yes", "--mongo-url", mongo]) }
        #expect(mongoError.description.contains("could not reach a server") && !mongoError.description.contains("\n"))
        #expect(SluiceControlCommand.exitCode(for: mongoError) == .failure)

        var command = try SluiceControlCommand.parseAsRoot(["erase", "--visitor", "v", "--yes", "--redis-url", "redis://127.0.0.1:1", "--mongo-url", mongo])
        let redisError = try #require(throws: ControlError.self) { try command.run() }
        #expect(redisError.description.hasPrefix("cannot connect to Redis at 127.0.0.1:1"))
    }

    /// Runs the erasure steps the command runs for one subject.
    private func counts(of subject: ErasureSubject, _ redis: TestRedis, _ mongo: TestMongo, dryRun: Bool) throws -> ErasureCounts {
        let erasure = Erasure(store: mongo.store, redis: redis.connection, partitions: 4, dryRun: dryRun)
        var counts = try erasure.eraseStored(subject)
        counts.deadLetters = try erasure.eraseDeadLetters(try erasure.deadLetters(of: [subject])[0])
        return counts
    }
}
