import SluiceCore
import SluiceValidation
import Testing

/// `context.userAgent` and `context.ip` relayed by a server, and the sites file's server keys.
@Suite("Relayed context")
struct RelayedContextTests {
    static let iPhone =
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1"

    /// The stamp of a server key's request: no address or agent of its own.
    static var serverStamp: RequestStamp {
        var stamp = RequestStamp(receivedAt: Fixture.receivedAt, ip: nil, userAgent: nil, cookieVisitorId: "v", siteId: "shop")
        stamp.fromServer = true
        return stamp
    }

    @Test func contextUserAgentReplacesTheHeaderForAnySender() throws {
        let body = #"{"url":"https://a.example/","context":{"userAgent":"\#(Self.iPhone)","ip":"198.51.100.7"}}"#
        let object = try canonicalObject(try EventValidator().validate(body, kind: .pageview))
        #expect(object["ua"] == .string(Self.iPhone))
        #expect(object["ip"] == .string("203.0.113.0"), "a browser key's context.ip is ignored: the request's address stands")
        #expect(object["context"]?.objectValue?["userAgent"] == .string(Self.iPhone), "context is stored as sent")
    }

    @Test func withoutContextTheRequestStampStands() throws {
        let object = try canonicalObject(try EventValidator().validate(#"{"url":"https://a.example/","context":{"locale":"en"}}"#, kind: .pageview))
        #expect(object["ua"] == .string("TestAgent/1.0"))
        #expect(object["ip"] == .string("203.0.113.0"))
    }

    @Test func aServerKeysContextIPIsKeptAsTheIPModeSays() throws {
        let body = #"{"url":"https://a.example/","context":{"userAgent":"\#(Self.iPhone)","ip":"198.51.100.7"}}"#
        var stamp = Self.serverStamp
        let anonymised = try canonicalObject(try EventValidator().validate(body, kind: .pageview, stamp: stamp))
        #expect(anonymised["ip"] == .string("198.51.100.0"))
        #expect(anonymised["ua"] == .string(Self.iPhone))
        stamp.relayedAddressRetention = .full
        #expect(try canonicalObject(try EventValidator().validate(body, kind: .pageview, stamp: stamp))["ip"] == .string("198.51.100.7"))
        stamp.relayedAddressRetention = .none
        let none = try canonicalObject(try EventValidator().validate(body, kind: .pageview, stamp: stamp))
        #expect(none["ip"] == nil)
        #expect(none["context"]?.objectValue?["ip"] == nil, "context.ip must not keep what SLUICE_IP_MODE dropped")
        #expect(none["context"]?.objectValue?["userAgent"] == .string(Self.iPhone))
        stamp.relayedAddressRetention = .full
        let zoned = #"{"url":"https://a.example/","context":{"ip":"fe80::1%anything-at-all"}}"#
        #expect(try canonicalObject(try EventValidator().validate(zoned, kind: .pageview, stamp: stamp))["ip"] == .string("fe80:0:0:0:0:0:0:1"))
        let notAnAddress = #"{"url":"https://a.example/","context":{"ip":"localhost"}}"#
        #expect(try canonicalObject(try EventValidator().validate(notAnAddress, kind: .pageview, stamp: Self.serverStamp))["ip"] == nil)
    }

    @Test func aServerKeysEventWithoutContextHasNoAgentOrAddress() throws {
        let object = try canonicalObject(try EventValidator().validate(#"{"url":"https://a.example/"}"#, kind: .pageview, stamp: Self.serverStamp))
        #expect(object["ua"] == nil, "the server's own HTTP client is not the visitor's device")
        #expect(object["ip"] == nil)
        #expect(object["siteId"] == .string("shop"))
    }

    @Test func eachEventOfABatchGetsItsOwnRelayedAgent() throws {
        let body = try JSONParser.parse(
            #"{"batch":[{"type":"pageview","url":"https://a.example/","context":{"userAgent":"A/1"}},{"type":"pageview","url":"https://a.example/"},{"type":"pageview","url":"https://a.example/","context":{"userAgent":"B/2"}}]}"#
        )
        let events = try #require(EventValidator().validateBatch(body, stamp: Fixture.stamp).value)
        let agents = try events.map { try JSONParser.parse($0.json).objectValue?["ua"] }
        #expect(agents == [.string("A/1"), .string("TestAgent/1.0"), .string("B/2")])
    }

    @Test func aLongRelayedAgentIsCutLikeTheHeader() throws {
        let long = String(repeating: "x", count: 5000)
        let object = try canonicalObject(try EventValidator().validate(#"{"url":"https://a.example/","context":{"userAgent":"\#(long)"}}"#, kind: .pageview))
        #expect(object["ua"]?.stringValue?.utf8.count == EventValidator.maxUserAgentBytes)
    }

    @Test func serverKeysAreReadBesideWriteKeysAndUniqueAcrossBoth() throws {
        let registry = try SiteRegistry(
            json: Array(
                #"{"sites":[{"id":"shop","writeKeys":["wk_0123456789abcdef"],"serverKeys":["sk_0123456789abcdef"]},{"id":"api","serverKeys":["sk_api_0123456789abcdef"]}]}"#
                    .utf8),
            source: "sites.json")
        #expect(registry.match(forKey: "wk_0123456789abcdef")?.isServerKey == false)
        #expect(registry.match(forKey: "sk_0123456789abcdef")?.isServerKey == true)
        #expect(registry.match(forKey: "sk_0123456789abcdef")?.site.id == "shop")
        #expect(registry.match(forKey: "sk_api_0123456789abcdef")?.site.id == "api", "a site may hold server keys only")
        for bad in [
            #"{"sites":[{"id":"a","writeKeys":["wk_0123456789abcdef"],"serverKeys":["wk_0123456789abcdef"]}]}"#,
            #"{"sites":[{"id":"a","serverKeys":["short"]}]}"#,
            #"{"sites":[{"id":"a","serverKeys":"sk_0123456789abcdef"}]}"#,
            #"{"sites":[{"id":"a","writeKeys":[],"serverKeys":[]}]}"#,
        ] {
            #expect(throws: ConfigurationError.self) { try SiteRegistry(json: Array(bad.utf8), source: "sites.json") }
        }
    }
}
