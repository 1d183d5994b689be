import Foundation
import SluiceCore
import SluiceMongo
import SluiceTestSupport
import Testing

@testable import SluiceWorker

/// `SLUICE_RETENTION`: its parsing, and the TTL indexes a worker makes of it at start.
@Suite struct RetentionTests {
    @Test func namedCollectionsAndAStarForTheOtherEventCollections() throws {
        // The setting and its summary as an operator types and reads them: collection names in their spelling on purpose.
        let policy = try RetentionPolicy(parsing: " pageviews = 90, apiusages=30 ,*=365,sessions=7")
        #expect(
            policy.days(for: EventKind.pageview.collection) == 90 && policy.days(for: EventKind.api.collection) == 30
                && policy.days(for: StoreCollection.sessions) == 7)
        #expect([EventKind.chat, .tool, .lab, .event].allSatisfy { policy.days(for: $0.collection) == 365 })
        #expect(policy.days(for: StoreCollection.visitors) == nil, "* covers event collections only")
        #expect(policy.expireAfterSeconds(for: EventKind.pageview.collection) == 7_776_000)
        #expect(policy.summary.hasPrefix("pageviews=90d,chatinteractions=365d,") && policy.summary.hasSuffix("sessions=7d,visitors=forever"))
        #expect(try RetentionPolicy(parsing: "visitors=\(RetentionPolicy.maximumDays)").expireAfterSeconds(for: StoreCollection.visitors) == 2_147_472_000)
    }

    @Test func unsetOrEmptyKeepsEverything() throws {
        for environment in [[:], ["SLUICE_RETENTION": ""], ["SLUICE_RETENTION": "  "]] {
            let configuration = try WorkerConfiguration(settings: Settings(environment: environment))
            #expect(configuration.retention.keepsEverything && configuration.retention.days(for: EventKind.pageview.collection) == nil)
            #expect(configuration.summary.contains { $0 == ("SLUICE_RETENTION", "(unset: keep forever)") })
        }
        let flag = try WorkerConfiguration(settings: Settings(environment: ["SLUICE_RETENTION": "*=1"], overrides: ["SLUICE_RETENTION": "userevents=2"]))
        #expect(flag.retention.days(for: EventKind.event.collection) == 2 && flag.retention.days(for: EventKind.pageview.collection) == nil)
    }

    /// Settings as an operator might mistype them: collection names in the user's spelling on purpose.
    @Test(arguments: [
        ("pagevews=90", "not \"pagevews\""), ("pageviews=0", "from 1 to 24855 for pageviews, not \"0\""), ("pageviews=-1", "not \"-1\""),
        ("pageviews=9x", "not \"9x\""), ("pageviews=24856", "not \"24856\""), ("pageviews", "collection=days items"),
        ("pageviews=90,", "none of them empty"), ("=90", "not \"\""), ("pageviews=90=1", "not \"pageviews=90=1\""),
        ("pageviews=90,pageviews=30", "pageviews is given twice"), ("*=1,*=2", "* is given twice"), ("pageviews=", "not \"\""),
    ])
    func badSettingsAreConfigurationErrors(_ text: String, _ problem: String) {
        #expect {
            try WorkerConfiguration(settings: Settings(environment: ["SLUICE_RETENTION": text]))
        } throws: { error in
            let description = "\(error)"
            return description.hasPrefix("SLUICE_RETENTION=\(text) is not valid: expected ") && description.contains(problem)
        }
    }

    @Test func theAgeIndexIsTheOnlyIndexOnItsField() throws {
        let policy = try RetentionPolicy(parsing: "pageviews=90,visitors=400")
        let ages = IndexCatalog.ageIndexes(retention: policy)
        #expect(ages.map(\.collection) == RetentionPolicy.collections)
        #expect(
            ages.first { $0.collection == EventKind.pageview.collection }?.index
                == IndexSpec(name: "timestamp_1", keys: [IndexKey("timestamp")], expireAfterSeconds: 7_776_000))
        #expect(ages.first { $0.collection == StoreCollection.sessions }?.index == IndexSpec(name: "lastActivity_1", keys: [IndexKey("lastActivity")]))
        #expect(ages.first { $0.collection == StoreCollection.visitors }?.index.expireAfterSeconds == 34_560_000)
        for (collection, age) in ages {
            let others = IndexCatalog.indexes.first { $0.0 == collection }?.1 ?? []
            #expect(!others.contains { $0.keys == age.keys || $0.name == age.name }, "\(collection) has a second index on \(age.keys)")
        }
    }

    @Test func aBadSettingStopsTheWorkerWithTheReason() async throws {
        let environment = try TestEnvironment.require()
        let worker = try SluiceProcess(
            binary: "sluice-worker", environment: environment,
            settings: ["SLUICE_RETENTION": "pageviews=90,sesions=7", "SLUICE_WORKER_PORT": "0", "SLUICE_REDIS_URL": "redis://127.0.0.1:1"])
        // As long as a worker may take to start (30 s, like the waits for "indexes ensured"): started beside
        // every other test's processes on a loaded machine, even a process that stops at once can take seconds.
        #expect(try await eventually(timeout: .seconds(30)) { !worker.isRunning }, "log:\n\(worker.log)")
        #expect(try await worker.stop() != 0)
        #expect(worker.log.contains("SLUICE_RETENTION=pageviews=90,sesions=7 is not valid"), "log:\n\(worker.log)")
    }

    @Test func aWorkerMakesTheAgeIndexesTTLIndexesAndSaysHowToChangeThemLater() async throws {
        let environment = try TestEnvironment.require()
        let redisURL = try environment.isolatedRedisURL()
        let database = try FreshMongoDatabase.Named(prefix: "retention")
        defer { withExtendedLifetime(database) {} }  // dropped at the end of the test, not after its last use
        let mongoURL = database.url
        func startWorker(retention: String) async throws -> SluiceProcess {
            let worker = try SluiceProcess(
                binary: "sluice-worker", environment: environment,
                settings: [
                    "SLUICE_REDIS_URL": redisURL, "SLUICE_MONGO_URL": mongoURL, "SLUICE_PARTITIONS": String(TestStack.partitions),
                    "SLUICE_CONSUMER_NAME": "retention",
                    "SLUICE_BLOCK_MS": "200", "SLUICE_WORKER_PORT": "0", "SLUICE_RETENTION": retention,
                ])
            #expect(try await eventually(timeout: .seconds(30)) { worker.log.contains("indexes ensured") }, "log:\n\(worker.log)")
            return worker
        }
        let store = try MongoStore(url: mongoURL, appName: "sluice-tests")
        defer { store.close() }

        let policy = try RetentionPolicy(parsing: "pageviews=90,apiusages=30,sessions=7,*=365")
        let first = try await startWorker(retention: "pageviews=90,apiusages=30,sessions=7,*=365")
        #expect(!first.log.contains("retention not applied"), "log:\n\(first.log)")
        #expect(first.log.contains("pageviews=90d"), "the start-up summary shows the effective retention")
        for (collection, index) in IndexCatalog.ageIndexes(retention: policy) {
            #expect(
                try exists(index, in: collection, store),
                "\(collection): no index \(index.name) with expireAfterSeconds \(index.expireAfterSeconds.map(String.init) ?? "none")")
        }
        #expect(try !exists(IndexSpec(name: "timestamp_1", keys: [IndexKey("timestamp")]), in: EventKind.pageview.collection, store))
        #expect(try !exists(IndexSpec(name: "lastVisit_1", keys: [IndexKey("lastVisit")], expireAfterSeconds: 86_400), in: StoreCollection.visitors, store))
        _ = try await first.stop()

        // A new retention changes the existing indexes: collMod for a new expiry, drop and create for none.
        let second = try await startWorker(retention: "pageviews=30")
        #expect(!second.log.contains("retention not applied"), "log:\n\(second.log)")
        #expect(second.log.contains("retention changed"), "log:\n\(second.log)")
        for (collection, index) in IndexCatalog.ageIndexes(retention: try RetentionPolicy(parsing: "pageviews=30")) {
            #expect(try exists(index, in: collection, store), "\(collection): \(index)")
        }
        let listed = try store.runCommand(
            {
                let c = BSONDocumentBuilder()
                c.appendString("listIndexes", EventKind.pageview.collection)
                return c
            }(), operation: "listIndexes", collection: EventKind.pageview.collection)
        #expect(listed.contains(#""name" : "timestamp_1", "expireAfterSeconds" : { "$numberInt" : "2592000" }"#), "\(listed)")
        _ = try await second.stop()
    }

    /// Whether `collection` has an index with `index`'s name, keys and `expireAfterSeconds`, read
    /// without `listIndexes` (which SluiceMongo cannot send): `createIndexes` with an existing
    /// name fails (85/86) exactly when the options differ, and changes nothing when they match.
    /// A probe with other options first proves the index exists, so neither probe creates one.
    private func exists(_ index: IndexSpec, in collection: String, _ store: MongoStore) throws -> Bool {
        func conflicts(_ probe: IndexSpec) throws -> Bool {
            do throws(MongoError) {
                try store.createIndexes(collection: collection, indexes: [probe])
                return false
            } catch .commandFailed(_, _, let code, _) where IndexCatalog.optionsConflictCodes.contains(code) {
                return true
            }
        }
        let other = IndexSpec(name: index.name, keys: index.keys, expireAfterSeconds: index.expireAfterSeconds.map { $0 + 1 } ?? 1)
        return try conflicts(other) && !conflicts(index)
    }
}
