import Foundation
import SluiceMongo
import Testing

/// A MongoDB database of its own for one test, on the server the test command started
/// (`SLUICE_TEST_MONGO_URL`), dropped when the test ends: the one way every test target
/// gets one.
public enum FreshMongoDatabase {
    /// The server's URL; a missing variable fails the test with the fix, it never skips it.
    public static func serverURL() throws -> String {
        try #require(
            ProcessInfo.processInfo.environment["SLUICE_TEST_MONGO_URL"],
            """
            SLUICE_TEST_MONGO_URL is not set: run the tests with `make test`, which starts a private \
            SecantusDB and sets it (or start one, e.g. `secantusd-py --host 127.0.0.1 --port 27099 \
            --storage-path :memory:`, and set SLUICE_TEST_MONGO_URL=mongodb://127.0.0.1:27099/)
            """)
    }

    /// The URL of `database` on the test server.
    public static func url(database: String) throws -> String {
        url(try serverURL(), database: database)
    }

    /// `url` with its database path replaced by `database` (options kept).
    public static func url(_ url: String, database: String) -> String {
        let parts = url.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        var head = String(parts[0])
        if let schemeEnd = head.range(of: "://"), let slash = head[schemeEnd.upperBound...].firstIndex(of: "/") {
            head = String(head[..<slash])
        }
        return head + "/" + database + (parts.count > 1 ? "?" + parts[1] : "")
    }

    /// Runs `body` with a store on a new database `<prefix>_<8 hex digits>`, dropped afterwards.
    public static func withStore<R>(prefix: String = "sluice_test", appName: String = "sluice-tests", _ body: (MongoStore) throws -> R) throws -> R {
        let name = newName(prefix: prefix)
        return try withStore(url: try url(database: name), appName: appName) { store in
            #expect(store.databaseName == name)
            return try body(store)
        }
    }

    /// Runs async `body` with a store on a new database `<prefix>_<8 hex digits>`, dropped afterwards.
    public static func withStore<R>(
        prefix: String = "sluice_test", appName: String = "sluice-tests", _ body: (MongoStore) async throws -> R
    ) async throws -> R {
        let store = try MongoStore(url: try url(database: newName(prefix: prefix)), appName: appName)
        defer { drop(store) }
        return try await body(store)
    }

    /// Runs `body` with a store on the database `url` names, dropped afterwards.
    public static func withStore<R>(url: String, appName: String = "sluice-tests", _ body: (MongoStore) throws -> R) throws -> R {
        let store = try MongoStore(url: url, appName: appName)
        defer { drop(store) }
        return try body(store)
    }

    /// A new database for processes a test starts, which get its `url`: named
    /// `<prefix>_<8 hex digits>` on the test server and dropped when the last reference
    /// to it goes (a test holds it for as long as its processes run).
    public final class Named: Sendable {
        /// The database's name.
        public let name: String
        /// Its URL on the test server (the server's options kept).
        public let url: String

        /// Names a new database; nothing is created until a process writes to it.
        public init(prefix: String) throws {
            name = FreshMongoDatabase.newName(prefix: prefix)
            url = try FreshMongoDatabase.url(database: name)
        }

        deinit {
            do {
                FreshMongoDatabase.drop(try MongoStore(url: url, appName: "sluice-tests"))
            } catch {
                Issue.record("could not open test database \(name) to drop it: \(error)")
            }
        }
    }

    private static func newName(prefix: String) -> String {
        prefix + "_" + UUID().uuidString.prefix(8).lowercased()
    }

    /// Drops the store's database and closes it; a failed drop is recorded, not thrown.
    private static func drop(_ store: MongoStore) {
        do { try store.dropDatabase() } catch { Issue.record("could not drop test database \(store.databaseName): \(error)") }
        store.close()
    }
}
