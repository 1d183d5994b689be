import CMongoc
import Logging
import SluiceCore

/// The MongoDB store: a thread-safe pool of libmongoc clients for one
/// database.
///
/// Every method blocks the calling thread on network I/O; call them from a
/// dedicated thread or thread pool, never from Swift's cooperative pool.
/// Each call borrows one client from the pool for its duration.
public final class MongoStore: Sendable {
    /// The database named in the URL's path, or "sluice" if it names none.
    public let databaseName: String
    /// The URL with its password masked, for logs.
    public let maskedURL: String
    /// What the pool was set up with, for the start-up log: topology hints from the
    /// URL, retryable writes and the write concern in force.
    public let connectionSummary: String

    let pool: ClientPool
    let logger: Logger

    /// Parses `url`, creates the client pool and names connections `appName`;
    /// `writeConcern` replaces the URL's `w` for every write. Connects lazily: an
    /// unreachable server shows up on the first call, except that a `mongodb+srv`
    /// URL's DNS records are looked up here.
    public init(
        url: String, appName: String, writeConcern: MongoWriteConcern? = nil, logger: Logger = Logger(label: "sluice.mongo")
    ) throws(MongoError) {
        _ = MongocRuntime.initialized
        let masked = SluiceCore.maskedURL(url)
        var error = bson_error_t()
        guard let uri = mongoc_uri_new_with_error(url, &error) else {
            throw CError(error).mongoError(operation: "connect", collection: "", context: .url(masked))
        }
        defer { mongoc_uri_destroy(uri) }
        if let writeConcern { Self.apply(writeConcern, to: uri) }
        guard let pool = mongoc_client_pool_new_with_error(uri, &error) else {
            throw CError(error).mongoError(operation: "connect", collection: "", context: .url(masked))
        }
        // Both must happen before the first pop. Error API 2 reports server
        // errors in MONGOC_ERROR_SERVER with the server's own code.
        mongoc_client_pool_set_error_api(pool, 2)
        if mongoc_uri_get_appname(uri) == nil, !appName.isEmpty {
            _ = mongoc_client_pool_set_appname(pool, appName)
        }
        let database = mongoc_uri_get_database(uri).map { String(cString: $0) } ?? ""
        databaseName = database.isEmpty ? "sluice" : database
        maskedURL = masked
        connectionSummary = Self.summary(of: uri)
        self.pool = ClientPool(pool)
        self.logger = logger
        logger.debug(
            "MongoDB client pool created",
            metadata: ["sluice.mongo.url": "\(masked)", "sluice.mongo.database": "\(databaseName)"])
    }

    /// Refuses new calls and releases the pool once the calls in progress
    /// end. Also done on deinit.
    public func close() {
        pool.close()
    }

    /// Checks that a server answers (`{ping: 1}` on `admin`).
    public func ping() throws(MongoError) {
        try runCommand(operation: "ping", collection: "", context: .read) { client, error in
            let command = BSONDocumentBuilder()
            command.appendInt32("ping", 1)
            return command.withBSON { mongoc_client_command_simple(client, "admin", $0, nil, nil, &error) }
        }
    }

    /// Runs one libmongoc call that reports failure as `false` + `bson_error_t`
    /// on a borrowed client, converting the error.
    func runCommand(
        operation: String, collection: String, context: CError.Context,
        _ call: (OpaquePointer, inout bson_error_t) -> Bool
    ) throws(MongoError) {
        try pool.withClient(operation: operation) { client throws(MongoError) in
            var error = bson_error_t()
            if !call(client, &error) {
                throw CError(error).mongoError(operation: operation, collection: collection, context: context)
            }
        }
    }
}
