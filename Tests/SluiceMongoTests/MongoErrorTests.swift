import SluiceCore
import Testing

@testable import SluiceMongo

@Suite("MongoError and URLs")
struct MongoErrorTests {
    @Test("passwords are masked")
    func masking() {
        #expect(
            maskedURL("mongodb://user:s3cret@db.example:27017/sluice")
                == "mongodb://user:****@db.example:27017/sluice")
        #expect(maskedURL("mongodb://user@host/") == "mongodb://user@host/")
        #expect(maskedURL("mongodb://host:27017/") == "mongodb://host:27017/")
        #expect(maskedURL("mongodb+srv://a:b:c@cluster/x?w=1") == "mongodb+srv://a:****@cluster/x?w=1")
    }

    @Test("a bad URL is an invalidURL error that names the URL without its password")
    func badURL() {
        do throws(MongoError) {
            _ = try MongoStore(url: "mongodb://user:s3cret@host:notaport/", appName: "t")
            Issue.record("expected an error")
        } catch {
            guard case .invalidURL(let url, _) = error else {
                Issue.record("expected invalidURL, got \(error)")
                return
            }
            #expect(url == "mongodb://user:****@host:notaport/")
            #expect(!error.description.contains("s3cret"))
            #expect(!error.isRetryable)
        }
        #expect(throws: MongoError.self) { try MongoStore(url: "http://nope", appName: "t") }
    }

    @Test("the database comes from the URL path, default sluice")
    func databaseName() throws {
        let named = try MongoStore(url: "mongodb://127.0.0.1:1/analytics", appName: "t")
        #expect(named.databaseName == "analytics")
        let unnamed = try MongoStore(url: "mongodb://127.0.0.1:1/?appname=x", appName: "t")
        #expect(unnamed.databaseName == "sluice")
        let bare = try MongoStore(url: "mongodb://127.0.0.1:1", appName: "t")
        #expect(bare.databaseName == "sluice")
    }

    @Test("retryable errors are the ones whose outcome or reachability is in doubt")
    func retryable() {
        #expect(MongoError.outcomeUnknown(operation: "bulkWrite", collection: "c", message: "m").isRetryable)
        #expect(MongoError.unavailable(operation: "ping", collection: "", message: "m").isRetryable)
        #expect(!MongoError.commandFailed(operation: "x", collection: "c", code: 2, message: "m").isRetryable)
        #expect(!MongoError.closed(operation: "ping").isRetryable)
        let description = MongoError.outcomeUnknown(operation: "bulkWrite", collection: EventKind.pageview.collection, message: "boom")
            .description
        #expect(description.contains("bulkWrite") && description.contains(EventKind.pageview.collection) && description.contains("boom"))
    }

    @Test("a closed store refuses calls")
    func closed() throws {
        let store = try MongoStore(url: "mongodb://127.0.0.1:1/x", appName: "t")
        store.close()
        store.close()
        #expect(throws: MongoError.self) { try store.ping() }
    }

    @Test("an empty bulk returns an empty outcome without contacting the server")
    func emptyBulk() throws {
        let store = try MongoStore(url: TestDatabase.unreachableURL, appName: "t")
        #expect(try store.bulkWrite(collection: "c", operations: []) == BulkWriteOutcome())
    }
}
