import Foundation
import SluiceCore
import SluiceMongo
import SluiceRedis
import SluiceTestSupport
import Testing

/// `sluicectl rollups verify|rebuild` on documents written straight into a fresh
/// database (no worker): a few events, their sessions and visitors, five days old so
/// their buckets are closed.
@Suite struct RollupsCommandTests {
    /// The UTC day of the data: five days ago, so its buckets are closed.
    let day: Int64 = (Int64(Date().timeIntervalSince1970 * 1000) - 5 * 86_400_000) / 86_400_000 * 86_400_000
    /// The first hour of the data: 10:00 that day.
    var hour: Int64 { day + 10 * 3_600_000 }

    /// Runs the built `sluicectl` against the test's databases: exit status, stdout and stderr.
    private func sluicectl(_ environment: TestEnvironment, redis: String, mongo: String, _ arguments: [String]) throws -> (
        status: Int32, output: String, errors: String
    ) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: environment.binDirectory).appendingPathComponent("sluicectl")
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(["SLUICE_REDIS_URL": redis, "SLUICE_MONGO_URL": mongo, "SLUICE_PARTITIONS": "4"]) {
            $1
        }
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let errors = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self), String(decoding: errors, as: UTF8.self))
    }

    private func date(_ minutes: Int64) -> String { #"{"$date": {"$numberLong": "\#(hour + minutes * 60_000)"}}"# }

    private func insert(_ store: MongoStore, _ collection: String, _ documents: [String]) throws {
        let outcome = try store.bulkWrite(collection: collection, operations: try documents.map { .insert(try BSONDocumentBuilder(json: $0)) })
        try #require(outcome.inserted == documents.count, "seeding \(collection): \(outcome)")
    }

    private func set(_ store: MongoStore, _ collection: String, id: String, _ update: String) throws {
        let outcome = try store.bulkWrite(
            collection: collection,
            operations: [.updateMany(filter: try BSONDocumentBuilder(json: #"{"_id": "\#(id)"}"#), update: try BSONDocumentBuilder(json: update))])
        try #require(outcome.matched == 1, "updating \(collection) \(id): \(outcome)")
    }

    /// Two visitors' sessions in two hours, a chat with feedback and a bot's page view,
    /// with session and visitor documents that agree with them (no roll-ups yet).
    private func seed(_ store: MongoStore) throws {
        let device = #""device": {"type": "desktop", "browser": "Firefox", "os": "Linux"}"#
        try insert(
            store, EventKind.pageview.collection,
            [
                #"{"_id": "p1", "visitorId": "v1", "sessionId": "s1", "timestamp": \#(date(5)), "path": "/a", "channel": "direct", \#(device)}"#,
                #"{"_id": "p2", "visitorId": "v1", "sessionId": "s1", "timestamp": \#(date(15)), "path": "/b", \#(device)}"#,
                #"{"_id": "p3", "visitorId": "v2", "sessionId": "s2", "timestamp": \#(date(65)), "path": "/a", \#(device)}"#,
                #"{"_id": "p4", "visitorId": "b1", "sessionId": null, "timestamp": \#(date(7)), "path": "/x", "device": {"type": "bot"}}"#,
            ])
        try insert(
            store, EventKind.chat.collection,
            [
                #"{"_id": "c1", "visitorId": "v1", "sessionId": "s1", "timestamp": \#(date(10)), "agentId": "helper", "model": "m1", "responseTime": 1200, "satisfied": true, "feedbackAt": \#(date(12)), \#(device)}"#
            ])
        try insert(
            store, EventKind.event.collection,
            [
                #"{"_id": "e1", "visitorId": "v2", "sessionId": "s2", "timestamp": \#(date(70)), "eventType": "auth", "eventName": "signup", \#(device)}"#
            ])
        try insert(
            store, StoreCollection.sessions,
            [
                #"{"_id": "s1", "visitorId": "v1", "startTime": \#(date(5)), "lastActivity": \#(date(15)), "endTime": \#(date(15)), "pageViews": 2, "events": 3, "entryPage": "/a", "exitPage": "/b", "channel": "direct", \#(device)}"#,
                #"{"_id": "s2", "visitorId": "v2", "startTime": \#(date(65)), "lastActivity": \#(date(70)), "endTime": null, "pageViews": 1, "events": 2, "entryPage": "/a", "exitPage": "/a", \#(device)}"#,
            ])
        try insert(
            store, StoreCollection.visitors,
            [
                #"{"_id": "v1", "firstVisit": \#(date(5)), "lastVisit": \#(date(15)), "pageViews": 2, "visits": 1}"#,
                #"{"_id": "v2", "firstVisit": \#(date(65)), "lastVisit": \#(date(70)), "pageViews": 1, "visits": 1}"#,
            ])
    }

    @Test func verifyFindsEveryChangedCountAndRebuildFixesThem() throws {
        let environment = try TestEnvironment.require()
        let redis = try environment.isolatedRedisURL()
        let database = try FreshMongoDatabase.Named(prefix: "rollups")
        defer { withExtendedLifetime(database) {} }  // dropped at the end of the test, not after its last use
        let mongo = database.url
        let store = try MongoStore(url: mongo, appName: "sluice-tests")
        try seed(store)
        let range = ["--from", String(day), "--to", String(day + 86_400_000)]
        func run(_ arguments: [String]) throws -> (status: Int32, output: String, errors: String) {
            try sluicectl(environment, redis: redis, mongo: mongo, arguments)
        }

        // No roll-up documents yet: each bucket with events is missing.
        let missing = try run(["rollups", "verify"] + range)
        #expect(missing.status == 1 && missing.output.contains("rollup h:\(hour): document: stored none, recomputed 4 events, 1 human visitors"), "\(missing)")

        let rebuilt = try run(["rollups", "rebuild"] + range)
        #expect(rebuilt.status == 0 && rebuilt.output.contains("wrote 2 sessions, 2 visitors, 3 roll-up buckets"), "\(rebuilt)")
        // The hour as counted by hand: 2 page views + a chat (its feedback makes no event), 1 session of 10 minutes.
        let stored = try StoredDocuments(url: mongo)
        let first = try #require(try stored.find(StoreCollection.rollups, #"{"_id": "h:\#(hour):"}"#).first)
        let human = try #require(first["human"]?.objectValue)
        #expect(
            human["pageViews"] == .object(JSONObject([("$numberLong", .string("2"))]))
                && human["events"] == .object(JSONObject([("$numberLong", .string("3"))])))
        #expect(human["duration"] == .object(JSONObject([("$numberLong", .string("600000"))])) && first["visitorsHLL"] != nil)
        let dayDocument = try #require(try stored.find(StoreCollection.rollups, #"{"_id": "d:\#(day):"}"#).first)
        #expect(dayDocument["human"]?.objectValue?["visitors"] == .object(JSONObject([("$numberLong", .string("2"))])))
        // Dashboards reread the site's open buckets: the rebuild gave it a roll-up generation.
        #expect(try RollupGenerations.current(site: "", redis: RedisConnection(endpoint: RedisEndpoint(url: redis))) != nil)

        let clean = try run(["rollups", "verify"] + range)
        #expect(clean.status == 0 && clean.output.contains("checked 2 sessions, 2 visitors, 3 roll-up buckets: no difference"), "\(clean)")

        // One count changed in each kind of document, and one session document gone.
        try set(store, StoreCollection.sessions, id: "s1", #"{"$set": {"pageViews": 5}}"#)
        try set(store, StoreCollection.visitors, id: "v2", #"{"$set": {"visits": 3}}"#)
        try set(store, StoreCollection.rollups, id: "h:\(hour):", #"{"$set": {"bot.pageViews": 7}}"#)
        _ = try store.bulkWrite(collection: StoreCollection.sessions, operations: [.deleteMany(filter: try BSONDocumentBuilder(json: #"{"_id": "s2"}"#))])
        let changed = try run(["rollups", "verify"] + range)
        #expect(changed.status == 1, "\(changed)")
        for line in [
            "session s1 pageViews: stored 5, recomputed 2", "session s2 document: stored none, recomputed 1 page views, 2 events",
            "visitor v2 visits: stored 3, recomputed 1", "rollup h:\(hour): bot pageViews: stored 7, recomputed 1",
        ] {
            #expect(changed.output.contains(line + "\n"), "missing '\(line)' in:\n\(changed.output)")
        }
        // s2's missing document shows once: its buckets count the session as rebuild would write it.
        #expect(changed.output.contains(": 4 differences in 2 sessions, 1 visitor, 1 rollup\n"), "\(changed.output)")

        // While Redis holds v2's state, the live pipeline owns v2: a rebuild leaves it alone.
        let redisConnection = try RedisConnection(endpoint: RedisEndpoint(url: redis))
        let liveKey = StreamLayout.visitorStateKey(visitorId: "v2", partition: StreamLayout.partition(visitorId: "v2", partitions: 4))
        _ = try redisConnection.run(RedisCommand("HSET", liveKey, "visits", "3"))
        let dryRun = try run(["rollups", "rebuild", "--dry-run"] + range)
        #expect(dryRun.status == 0 && dryRun.output.contains("would fix session s1 pageViews: stored 5, recomputed 2"), "\(dryRun)")
        #expect(!dryRun.output.contains("visitor v2") && dryRun.errors.contains("skipped visitor v2"), "\(dryRun)")
        #expect(try run(["rollups", "verify"] + range).status == 1)
        _ = try redisConnection.run(RedisCommand("DEL", liveKey))

        let fixed = try run(["rollups", "rebuild"] + range)
        #expect(fixed.status == 0, "\(fixed)")
        let after = try run(["rollups", "verify"] + range)
        #expect(after.status == 0 && after.output.contains("no difference"), "\(after)")
        let recreated = try #require(try stored.find(StoreCollection.sessions, #"{"_id": "s2"}"#).first)
        #expect(recreated["pageViews"] == .object(JSONObject([("$numberLong", .string("1"))])) && recreated["visitorId"] == .string("v2"))
    }

    @Test func badTimesAndOpenBucketsAreRefusedWithTheReason() throws {
        let environment = try TestEnvironment.require()
        let redis = try environment.isolatedRedisURL()
        let database = try FreshMongoDatabase.Named(prefix: "rollups")
        defer { withExtendedLifetime(database) {} }  // dropped at the end of the test, not after its last use
        let mongo = database.url
        let bad = try sluicectl(environment, redis: redis, mongo: mongo, ["rollups", "verify", "--from", "yesterday"])
        #expect(bad.status != 0 && bad.errors.contains("--from 'yesterday' is not a time"), "\(bad)")

        let open = try sluicectl(environment, redis: redis, mongo: mongo, ["rollups", "rebuild", "--from", String(day)])
        #expect(open.status == 1 && open.errors.contains("is still open") && open.errors.contains("the live pipeline owns it"), "\(open)")
    }

    @Test func verifyWaitsForUnflushedChangesThenComparesAnyway() throws {
        let environment = try TestEnvironment.require()
        let redis = try environment.isolatedRedisURL()
        let database = try FreshMongoDatabase.Named(prefix: "rollups")
        defer { withExtendedLifetime(database) {} }  // dropped at the end of the test, not after its last use
        let mongo = database.url
        let connection = try RedisConnection(endpoint: RedisEndpoint(url: redis))
        _ = try connection.run(RedisCommand("ZADD", StreamLayout.dirtyKey(partition: 3), "1", StreamLayout.visitorStateKey(visitorId: "v9", partition: 3)))
        defer { _ = try? connection.run(RedisCommand("DEL", StreamLayout.dirtyKey(partition: 3))) }
        let result = try sluicectl(
            environment, redis: redis, mongo: mongo, ["rollups", "verify", "--wait", "1", "--from", String(day), "--to", String(day + 3_600_000)])
        #expect(result.status == 0 && result.output.contains("no difference"), "\(result)")
        #expect(result.errors.contains("1 changed key not yet flushed") && result.errors.contains("still unflushed after 1 s"), "\(result)")
    }
}
