import SluiceCore
import SluiceTestSupport
import Testing

@testable import SluiceMongo

/// `SLUICE_MONGO_WRITE_CONCERN` parsed and applied to the pool, the start-up line
/// that shows retryable writes and the write concern, and a `mongodb+srv` URL that
/// does not resolve.
@Suite struct WriteConcernTests {
    private static let variable = "SLUICE_MONGO_WRITE_CONCERN"

    @Test func valuesParseAndBadOnesNameTheVariable() throws {
        #expect(try MongoWriteConcern.parse("majority", variable: Self.variable) == .majority)
        #expect(try MongoWriteConcern.parse(" Majority ", variable: Self.variable) == .majority)
        #expect(try MongoWriteConcern.parse("2", variable: Self.variable) == .members(2))
        #expect(try MongoWriteConcern.parse("", variable: Self.variable) == nil)
        for bad in ["0", "51", "all", "1.5", "-1"] {
            let error = #expect(throws: ConfigurationError.self) { try MongoWriteConcern.parse(bad, variable: Self.variable) }
            #expect(error?.variable == Self.variable && error?.expected.contains("majority") == true, "\(bad)")
        }
    }

    @Test func theSettingReplacesTheURLsWKeepsItsJournalAndBoundsTheWait() throws {
        // Pools connect lazily: these hosts are never contacted.
        let replicaSet = try MongoStore(url: "mongodb://db1:27017,db2:27018/sluice?replicaSet=rs0&w=1&journal=true", appName: "t", writeConcern: .majority)
        defer { replicaSet.close() }
        #expect(
            replicaSet.connectionSummary == "hosts db1:27017,db2:27018; replicaSet rs0; retryWrites on; write concern w=majority, journal, wtimeout 10000 ms")
        let ownTimeout = try MongoStore(url: "mongodb://db1/sluice?wtimeoutMS=2500&retryWrites=false", appName: "t", writeConcern: .members(3))
        defer { ownTimeout.close() }
        #expect(ownTimeout.connectionSummary == "hosts db1:27017; retryWrites off; write concern w=3, wtimeout 2500 ms")
        let untouched = try MongoStore(url: "mongodb://db1/sluice", appName: "t")
        defer { untouched.close() }
        #expect(untouched.connectionSummary == "hosts db1:27017; retryWrites on; write concern w=default (1)")
    }

    @Test func majorityWritesAreStoredOnTheTestServer() throws {
        let url = try FreshMongoDatabase.url(database: "sluice_wc_\(UInt32.random(in: 0...UInt32.max))")
        try FreshMongoDatabase.withStore(url: url) { _ in
            let store = try MongoStore(url: url, appName: "t", writeConcern: .majority)
            defer { store.close() }
            let outcome = try store.bulkWrite(collection: EventKind.event.collection, operations: [.insert(TestDatabase.document(id: "majority"))])
            #expect(outcome.inserted == 1 && outcome.failures.isEmpty)
            #expect(try store.countDocuments(collection: EventKind.event.collection, filterJSON: #"{"_id": "majority"}"#) == 1)
        }
    }

    @Test func anSRVNameThatDoesNotResolveStopsTheStartWithWhatToCheck() {
        let error = #expect(throws: MongoError.self) { try MongoStore(url: "mongodb+srv://sluice-test.invalid/sluice", appName: "t") }
        let text = error.map { "\($0)" } ?? ""
        #expect(text.contains("SRV record") && text.contains("_mongodb._tcp.<host>") && text.contains("replicaSet="), "\(text)")
    }
}
