import Foundation
import SluiceCore
import SluiceMongo
import SluiceTestSupport
import Testing

/// `sluicectl rollups rebuild|verify` with `SLUICE_FUNNELS`: funnel rows and visitors'
/// progress recounted from raw events written straight into a fresh database, five
/// days old so their buckets are closed.
@Suite struct RollupsFunnelTests {
    let day: Int64 = (Int64(Date().timeIntervalSince1970 * 1000) - 5 * 86_400_000) / 86_400_000 * 86_400_000
    var hour: Int64 { day + 10 * 3_600_000 }
    static let funnels = "checkout: /pricing > auth/signup > /paid"

    private func sluicectl(_ environment: TestEnvironment, redis: String, mongo: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: environment.binDirectory).appendingPathComponent("sluicectl")
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging([
            "SLUICE_REDIS_URL": redis, "SLUICE_MONGO_URL": mongo, "SLUICE_PARTITIONS": "4", "SLUICE_FUNNELS": Self.funnels,
        ]) { $1 }
        let stdout = Pipe()
        process.standardOutput = stdout
        try process.run()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    private func date(_ minutes: Int64) -> String { #"{"$date": {"$numberLong": "\#(hour + minutes * 60_000)"}}"# }

    private func insert(_ store: MongoStore, _ collection: String, _ documents: [String]) throws {
        let outcome = try store.bulkWrite(collection: collection, operations: try documents.map { .insert(try BSONDocumentBuilder(json: $0)) })
        try #require(outcome.inserted == documents.count, "seeding \(collection): \(outcome)")
    }

    @Test func rebuildWritesFunnelProgressAndVerifyFindsABrokenCount() throws {
        let environment = try TestEnvironment.require()
        let redis = try environment.isolatedRedisURL()
        let database = try FreshMongoDatabase.Named(prefix: "funnels")
        defer { withExtendedLifetime(database) {} }  // dropped at the end of the test, not after its last use
        let mongo = database.url
        let store = try MongoStore(url: mongo, appName: "sluice-tests")
        // v1 saw the pricing page in the hour before the range; v2 in the range.
        try insert(
            store, EventKind.pageview.collection,
            [
                #"{"_id": "p1", "visitorId": "v1", "sessionId": "s0", "timestamp": \#(date(-55)), "path": "/pricing"}"#,
                #"{"_id": "p2", "visitorId": "v1", "sessionId": "s1", "timestamp": \#(date(10)), "path": "/paid"}"#,
                #"{"_id": "p3", "visitorId": "v2", "sessionId": "s2", "timestamp": \#(date(20)), "path": "/pricing"}"#,
            ])
        try insert(
            store, EventKind.event.collection,
            [
                #"{"_id": "e1", "visitorId": "v1", "sessionId": "s1", "timestamp": \#(date(5)), "eventType": "auth", "eventName": "signup"}"#,
                #"{"_id": "e2", "visitorId": "v2", "sessionId": "s2", "timestamp": \#(date(25)), "eventType": "auth", "eventName": "signup"}"#,
            ])
        let range = ["--from", String(hour), "--to", String(hour + 2 * 3_600_000)]
        let rebuilt = try sluicectl(environment, redis: redis, mongo: mongo, ["rollups", "rebuild"] + range)
        #expect(rebuilt.status == 0, "\(rebuilt)")

        let stored = try StoredDocuments(url: mongo)
        let bucket = try #require(try stored.find(StoreCollection.rollups, #"{"_id": "h:\#(hour):"}"#).first)
        guard case .array(let rows)? = bucket["human"]?.objectValue?["funnel"] else {
            Issue.record("no funnel rows in \(bucket)")
            return
        }
        // Only v2 entered in this hour (v1 before it): steps 1 and 2, one visitor each.
        #expect(rows.compactMap { $0.objectValue?["subkey"]?.stringValue } == ["1", "2"], "\(rows)")
        #expect(rows.allSatisfy { $0.objectValue?["key"] == .string("checkout") })
        let v1 = try #require(try stored.find(StoreCollection.visitors, #"{"_id": "v1"}"#).first?["funnels"]?.objectValue?["checkout"]?.objectValue)
        #expect(v1["step"] == .object(JSONObject([("$numberLong", .string("3"))])))
        #expect(v1["entered"]?.objectValue?["$date"] != nil)

        let clean = try sluicectl(environment, redis: redis, mongo: mongo, ["rollups", "verify", "--wait", "0"] + range)
        #expect(clean.status == 0 && clean.output.contains("no difference"), "\(clean)")

        let breakRow = try BSONDocumentBuilder(json: #"{"$set": {"human.funnel.0.count": 5}}"#)
        _ = try store.bulkWrite(
            collection: StoreCollection.rollups, operations: [.updateMany(filter: try BSONDocumentBuilder(json: #"{"_id": "h:\#(hour):"}"#), update: breakRow)])
        let breakVisitor = try BSONDocumentBuilder(json: #"{"$set": {"funnels.checkout.step": 1}}"#)
        _ = try store.bulkWrite(
            collection: StoreCollection.visitors, operations: [.updateMany(filter: try BSONDocumentBuilder(json: #"{"_id": "v2"}"#), update: breakVisitor)])
        let broken = try sluicectl(environment, redis: redis, mongo: mongo, ["rollups", "verify", "--wait", "0"] + range)
        #expect(broken.status == 1, "\(broken)")
        for line in ["visitor v2 funnels.checkout.step: stored 1, recomputed 2", "rollup h:\(hour): human funnel checkout / 1 n: stored 5, recomputed 1"] {
            #expect(broken.output.contains(line + "\n"), "missing '\(line)' in:\n\(broken.output)")
        }
    }
}
