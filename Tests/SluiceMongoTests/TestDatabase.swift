import Foundation
import Testing

@testable import SluiceMongo

/// What the store tests share besides their database (`FreshMongoDatabase` gives each
/// its own): an unreachable URL, a decoder for what they read back, documents to write.
enum TestDatabase {
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
