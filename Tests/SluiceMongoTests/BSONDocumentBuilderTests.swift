import SluiceCore
import Testing

@testable import SluiceMongo

@Suite("BSONDocumentBuilder")
struct BSONDocumentBuilderTests {
    @Test("every value type becomes the matching BSON type")
    func valueTypes() throws {
        let document = BSONDocumentBuilder()
        document.appendString("s", "héllo")
        document.appendInt32("i", 42)
        document.appendInt64("l", 1 << 40)
        document.appendDouble("d", 1.5)
        document.appendBool("b", true)
        document.appendNull("n")
        document.appendDate("t", millisecondsSince1970: 1_700_000_000_123)
        let json = document.canonicalExtendedJSON
        #expect(json.contains(#""s" : "héllo""#))
        #expect(json.contains(#""i" : { "$numberInt" : "42" }"#))
        #expect(json.contains(#""l" : { "$numberLong" : "1099511627776" }"#))
        #expect(json.contains(#""d" : { "$numberDouble" : "1.5" }"#))
        #expect(json.contains(#""b" : true"#))
        #expect(json.contains(#""n" : null"#))
        #expect(json.contains(#""t" : { "$date" : { "$numberLong" : "1700000000123" } }"#))
        #expect(document.appendFailure == nil)
    }

    @Test("sub-documents and arrays nest, arrays get keys 0, 1, ...")
    func nesting() throws {
        let device = BSONDocumentBuilder()
        device.appendString("type", "desktop")
        let document = BSONDocumentBuilder()
        document.appendDocument("utm") { utm in
            utm.appendString("source", "news")
            utm.appendDocument("deep") { $0.appendBool("x", false) }
        }
        document.appendArray("tags") { array in
            array.appendString("a")
            array.appendInt32(2)
            array.appendArray { $0.appendNull() }
            array.appendDocument { $0.appendDate("at", millisecondsSince1970: 0) }
            #expect(array.count == 4)
        }
        document.appendDocument("device", device)
        let decoded = try TestDatabase.decode(document.canonicalExtendedJSON)
        let utm = try #require(decoded["utm"] as? [String: Any])
        #expect(utm["source"] as? String == "news")
        let tags = try #require(decoded["tags"] as? [Any])
        #expect(tags.count == 4)
        #expect(tags.first as? String == "a")
        #expect((decoded["device"] as? [String: Any])?["type"] as? String == "desktop")
    }

    @Test("a NUL inside a string value is kept; a NUL in a key is refused and recorded")
    func embeddedNUL() {
        let document = BSONDocumentBuilder()
        document.appendString("v", "a\u{0}b")
        document.appendString("", "empty key")
        #expect(document.canonicalExtendedJSON.contains(#""v" : "a\u0000b""#))
        #expect(document.appendFailure == nil)
        document.appendInt32("bad\u{0}key", 1)
        let failure = document.appendFailure
        #expect(failure?.contains("bad") == true)
        #expect(!document.canonicalExtendedJSON.contains("bad"))
    }

    @Test("storageProblem names what libbson's validation refuses in stored data, and passes the rest")
    func storageProblem() {
        func problem(_ build: (BSONDocumentBuilder) -> Void) -> String? {
            let document = BSONDocumentBuilder()
            build(document)
            return document.storageProblem
        }
        #expect(
            problem {
                $0.appendString("v", "a\u{0}b")
                $0.appendDocument("p") { $0.appendInt32("k", 1) }
            } == nil)
        #expect(problem { $0.appendDocument("p") { $0.appendInt32("", 1) } }?.contains("bson_validate") == true)
        #expect(problem { $0.appendDocument("p") { $0.appendInt32("$gt", 1) } }?.contains("bson_validate") == true)
        #expect(problem { $0.appendArray("a") { $0.appendDocument { $0.appendInt32("a.b", 1) } } }?.contains("bson_validate") == true)
        #expect(problem { $0.appendDocument("p") { $0.appendInt32("x\u{0}y", 1) } }?.contains("x") == true)
    }

    @Test("a refused field in a child is recorded on the parent")
    func childFailurePropagates() {
        let document = BSONDocumentBuilder()
        document.appendDocument("child") { $0.appendBool("x\u{0}", true) }
        #expect(document.appendFailure != nil)
    }

    @Test("init(json:) parses extended JSON and reports bad JSON as invalidJSON")
    func json() throws {
        let document = try BSONDocumentBuilder(json: #"{"a": 1, "t": {"$date": {"$numberLong": "5"}}}"#)
        #expect(document.canonicalExtendedJSON.contains(#"{ "$date" : { "$numberLong" : "5" } }"#))
        #expect(throws: MongoError.self) { try BSONDocumentBuilder(json: "{not json") }
        do throws(MongoError) {
            _ = try BSONDocumentBuilder(json: "{not json")
        } catch {
            guard case .invalidJSON(let reason) = error else {
                Issue.record("expected invalidJSON, got \(error)")
                return
            }
            #expect(!reason.isEmpty)
            #expect(!error.isRetryable)
        }
    }

    @Test("createIndexes command has the documented shape")
    func createIndexesCommand() {
        let command = MongoStore.createIndexesCommand(
            collection: EventKind.pageview.collection,
            indexes: [
                IndexSpec(name: "visitor_time", keys: [("visitorId", 1), ("timestamp", -1)]),
                IndexSpec(name: "ttl", keys: [IndexKey("receivedAt")], unique: true, expireAfterSeconds: 60),
            ])
        let json = command.canonicalExtendedJSON
        #expect(json.hasPrefix(#"{ "createIndexes" : "\#(EventKind.pageview.collection)", "indexes" : [ { "key" : { "visitorId" : "#))
        #expect(json.contains(#""timestamp" : { "$numberInt" : "-1" } }, "name" : "visitor_time" }"#))
        #expect(json.contains(#""name" : "ttl", "unique" : true, "expireAfterSeconds" : { "$numberInt" : "60" }"#))
    }
}
