import Logging
import NIOPosix
import SluiceCore
import SluiceMongo

/// The dashboard's reads from MongoDB, each run on NIO's blocking thread pool (libmongoc
/// blocks) and each answering documents as plain JSON: dates as ISO 8601 strings,
/// ObjectIds as hex strings, numbers as numbers.
struct DashboardStore: Sendable {
    let store: MongoStore
    let logger: Logger

    /// The one document of `collection` whose `_id` is `id`, or nil.
    func document(_ collection: String, id: String) async throws(DashboardError) -> JSONObject? {
        let filter = JSONWriter.string(of: .object(JSONObject([("_id", .string(id))])))
        return try await find(collection, filter: filter, options: #"{"limit": 1}"#).first
    }

    /// Runs a find with `filter` and `options` (extended JSON) and returns the documents in
    /// the order the server sends them; a store that fails is a 503 for the caller, and its
    /// error goes to the log, not to the caller.
    func find(_ collection: String, filter: String, options: String) async throws(DashboardError) -> [JSONObject] {
        let store = store
        let logger = logger
        do {
            return try await NIOThreadPool.singleton.runIfActive {
                var documents: [JSONObject] = []
                try store.forEachCanonicalJSON(collection: collection, filterJSON: filter, optionsJSON: options) { text in
                    guard let document = ExtendedJSON.document(text, dates: .iso8601) else {
                        // Deeper than any stored event can be; left out rather than failing the answer.
                        logger.warning("a stored document could not be read and is left out", metadata: ["sluice.collection": "\(collection)"])
                        return
                    }
                    documents.append(document)
                }
                return documents
            }
        } catch {
            logger.error("dashboard read failed", metadata: ["sluice.collection": "\(collection)", "sluice.error": "\(error)"])
            throw .unavailable("the store did not answer, retry later")
        }
    }
}
