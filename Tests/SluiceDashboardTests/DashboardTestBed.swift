import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import SluiceCore
import SluiceMongo
import SluiceRedis
import SluiceTestSupport
import Testing

@testable import SluiceDashboard

/// `buildDashboardApplication` on a fresh MongoDB database and a fresh Redis database of
/// the servers the test command started, driven through HummingbirdTesting's router client.
///
/// Redis databases 160...191 and 224...255 are this target's (scripts/test.sh starts Redis with 256).
struct DashboardTestBed {
    static let token = "dashboard-test-token-0123456789"

    let store: MongoStore
    let redisURL: String
    let client: any TestClientProtocol

    /// How many tests have taken a Redis database.
    private static let databases = RedisDatabasePool("SluiceDashboardTests", 160..<192, 224..<256)

    /// Runs `body` against a dashboard with `token` (nil: open) on databases of its own;
    /// fails (never skips) without the test command's servers.
    static func run(
        token: String? = Self.token, maxSessionEvents: Int? = nil, settings extra: [String: String] = [:],
        _ body: @escaping @Sendable (DashboardTestBed) async throws -> Void
    ) async throws {
        let redisURL = try databases.fresh()
        try await FreshMongoDatabase.withStore(prefix: "sluicedash", appName: "sluice-dashboard-tests") { store in
            let mongoURL = try FreshMongoDatabase.url(database: store.databaseName)
            var settings = ["SLUICE_REDIS_URL": redisURL, "SLUICE_MONGO_URL": mongoURL, "SLUICE_DASHBOARD_PORT": "0", "SLUICE_PARTITIONS": "4"]
            if let token { settings["SLUICE_ADMIN_TOKEN"] = token }
            settings.merge(extra) { $1 }
            var configuration = try DashboardConfiguration(settings: Settings(environment: settings))
            if let maxSessionEvents { configuration.maxSessionEvents = maxSessionEvents }
            let app = try buildDashboardApplication(configuration: configuration, logger: Logger(label: "sluice-dashboard-tests"))
            try await app.test(.router) { client in
                try await body(DashboardTestBed(store: store, redisURL: redisURL, client: client))
            }
        }
    }

    /// Inserts documents written as extended JSON into `collection`.
    func insert(_ collection: String, _ documents: [String]) throws {
        let operations = try documents.map { BulkOperation.insert(try BSONDocumentBuilder(json: $0)) }
        let outcome = try store.bulkWrite(collection: collection, operations: operations)
        try #require(outcome.inserted == documents.count, "seeding \(collection): \(outcome)")
    }

    /// Runs `commands` as one pipeline on this test's Redis database.
    func redis(_ commands: [RedisCommand]) throws {
        _ = try RedisConnection(endpoint: RedisEndpoint(url: redisURL)).pipeline(commands)
    }

    /// Sends a request; `bearer` adds `Authorization: Bearer`, `cookie` a `Cookie` header,
    /// `origin` an `Origin` header, `form` a form body.
    func send(
        _ method: HTTPRequest.Method, _ uri: String, bearer: String? = nil, cookie: String? = nil,
        origin: String? = nil, form: String? = nil
    ) async throws -> TestResponse {
        var headers: HTTPFields = [:]
        if let origin { headers[.origin] = origin }
        if let bearer { headers[.authorization] = "Bearer \(bearer)" }
        if let cookie { headers[.cookie] = cookie }
        if form != nil { headers[.contentType] = "application/x-www-form-urlencoded" }
        return try await client.execute(uri: uri, method: method, headers: headers, body: form.map { ByteBuffer(string: $0) })
    }

    /// `GET uri` with the admin token, its body parsed as a JSON object.
    func json(_ uri: String) async throws -> (status: HTTPResponse.Status, body: JSONObject) {
        let response = try await send(.get, uri, bearer: Self.token)
        return (response.status, try Self.object(response))
    }

    /// A response's body as a JSON object.
    static func object(_ response: TestResponse) throws -> JSONObject {
        try #require(try JSONParser.parse(String(buffer: response.body)).objectValue, "not a JSON object: \(String(buffer: response.body))")
    }

    /// `{"$date": {"$numberLong": ...}}` for `iso` (an ISO 8601 time), for documents written as extended JSON.
    static func date(_ iso: String) -> String {
        #"{"$date": {"$numberLong": "\#(Timestamp.parseISO8601(iso)!)"}}"#
    }
}

extension JSONValue {
    /// The elements of an array, nil for anything else.
    var items: [JSONValue]? {
        if case .array(let items) = self { return items }
        return nil
    }
}
