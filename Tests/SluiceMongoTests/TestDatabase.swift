import Foundation
import Testing

@testable import SluiceMongo

/// Gives each integration test its own database on the server named by
/// `SLUICE_TEST_MONGO_URL` (the test command starts SecantusDB and exports it).
enum TestDatabase {
    /// The server URL; a missing variable fails the test, it never skips it.
    static func serverURL() throws -> String {
        try #require(
            ProcessInfo.processInfo.environment["SLUICE_TEST_MONGO_URL"],
            """
            SLUICE_TEST_MONGO_URL is not set. Start a server, e.g. \
            `secantusd-py --host 127.0.0.1 --port 27099 --storage-path :memory:`, and run \
            `SLUICE_TEST_MONGO_URL=mongodb://127.0.0.1:27099/ swift test --filter SluiceMongoTests`.
            """)
    }

    /// `url` with its database path replaced by `database` (options kept).
    static func url(_ url: String, database: String) -> String {
        let parts = url.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        var head = String(parts[0])
        if let schemeEnd = head.range(of: "://"),
            let slash = head[schemeEnd.upperBound...].firstIndex(of: "/")
        {
            head = String(head[..<slash])
        }
        let query = parts.count > 1 ? "?" + parts[1] : ""
        return head + "/" + database + query
    }

    /// Runs `body` with a store on a fresh database, dropped afterwards.
    static func withStore<R>(_ body: (MongoStore) throws -> R) throws -> R {
        let name = "sluice_test_" + UUID().uuidString.prefix(8).lowercased()
        let store = try MongoStore(url: url(try serverURL(), database: name), appName: "sluice-mongo-tests")
        defer {
            do { try store.dropDatabase() } catch { Issue.record("could not drop test database \(name): \(error)") }
            store.close()
        }
        #expect(store.databaseName == name)
        return try body(store)
    }

    /// Runs async `body` with a store on a fresh database, dropped afterwards.
    static func withAsyncStore<R>(_ body: (MongoStore) async throws -> R) async throws -> R {
        let name = "sluice_test_" + UUID().uuidString.prefix(8).lowercased()
        let store = try MongoStore(url: url(try serverURL(), database: name), appName: "sluice-mongo-tests")
        defer {
            do { try store.dropDatabase() } catch { Issue.record("could not drop test database \(name): \(error)") }
            store.close()
        }
        return try await body(store)
    }

    /// A URL where nothing listens, with short timeouts.
    static let unreachableURL =
        "mongodb://127.0.0.1:1/sluice_unreachable?serverSelectionTimeoutMS=300&connectTimeoutMS=300"

    /// Decodes one canonical extended JSON document.
    static func decode(_ json: String) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8))
        return try #require(object as? [String: Any], "not a JSON object: \(json)")
    }

    /// A document `{_id: id}` plus whatever `fill` adds.
    static func document(id: String, _ fill: (BSONDocumentBuilder) -> Void = { _ in }) -> BSONDocumentBuilder {
        let document = BSONDocumentBuilder()
        document.appendString("_id", id)
        fill(document)
        return document
    }
}
