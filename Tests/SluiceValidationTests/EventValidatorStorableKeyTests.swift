import SluiceCore
import SluiceValidation
import Testing

@Suite("EventValidator: keys MongoDB cannot store")
struct EventValidatorStorableKeyTests {
    let validator = EventValidator()

    @Test(arguments: [
        (#"{"": 1}"#, "properties.", "must not be empty"),
        (#"{"ok": {"": "x"}}"#, "properties.ok.", "must not be empty"),
        (#"{"a\u0000b": 1}"#, #"properties.a\u0000b"#, "NUL"),
        (#"{"list": [{"\u0000": 1}]}"#, #"properties.list[0].\u0000"#, "NUL"),
    ])
    func unstorableKeysAreRefusedWithTheirPath(properties: String, path: String, problem: String) throws {
        let result = validator.validate(try Fixture.body(.chat, [("properties", properties)]), kind: .chat, stamp: Fixture.stamp)
        #expect(problemFields(result) == [path])
        #expect(problems(result).first?.problem.contains(problem) == true)
    }

    @Test func aLongKeyAboveManyBadKeysMakesAShortBoundedReport() throws {
        let longKey = String(repeating: "a", count: 100_000)
        let bad = (0..<5_000).map { #""$\#($0)":0"# }.joined(separator: ",")
        let result = validator.validate(try Fixture.body(.event, [("properties", #"{"\#(longKey)":{\#(bad)}}"#)]), kind: .event, stamp: Fixture.stamp)
        let found = problems(result)
        #expect(found.count == ValidationProblem.mostReported)
        #expect(found.allSatisfy { $0.field.utf8.count < 200 }, "paths cut keys short: \(found.first?.field.utf8.count ?? 0) bytes")
        #expect(found.first?.field == "properties." + String(repeating: "a", count: 64) + "….$0")
    }

    @Test func nulInsideAStringValueIsStorable() throws {
        let result = validator.validate(try Fixture.body(.chat, [("properties", #"{"note": "a\u0000b"}"#)]), kind: .chat, stamp: Fixture.stamp)
        let object = try canonicalObject(result)
        #expect(object["properties"]?.objectValue?["note"] == .string("a\u{0}b"))
    }
}

@Suite("EventValidator: secrets in URLs")
struct EventValidatorURLTests {
    let validator = EventValidator()

    @Test func pageURLsAndReferrersLoseFragmentsAndSecrets() throws {
        let result = validator.validate(
            try Fixture.body(
                .pageview,
                [
                    ("url", #""https://shop.example/reset?token=abc123&email=bob%40example.com&utm_source=news#access_token=xyz""#),
                    ("referrer", #""https://idp.example/cb?code=42&state=ok""#),
                ]), kind: .pageview, stamp: Fixture.stamp)
        let object = try canonicalObject(result)
        #expect(object["url"] == .string("https://shop.example/reset?token=[redacted]&email=[redacted]&utm_source=news"))
        #expect(object["referrer"] == .string("https://idp.example/cb?code=[redacted]&state=ok"))
    }

    @Test func contextPagesAndEndpointsAreScrubbed() throws {
        let context = #"{"url": "https://a.example/?session=s1#frag", "page": {"referrer": "https://b.example/?password=p"}, "locale": "en"}"#
        let chat = try canonicalObject(validator.validate(try Fixture.body(.chat, [("context", context)]), kind: .chat, stamp: Fixture.stamp))
        let scrubbed = try #require(chat["context"]?.objectValue)
        #expect(scrubbed["url"] == .string("https://a.example/?session=[redacted]"))
        #expect(scrubbed["page"]?.objectValue?["referrer"] == .string("https://b.example/?password=[redacted]"))
        #expect(scrubbed["locale"] == .string("en"))
        let api = try canonicalObject(
            validator.validate(try Fixture.body(.api, [("endpoint", #""/v1/users?api_key=k1&page=2""#)]), kind: .api, stamp: Fixture.stamp))
        #expect(api["endpoint"] == .string("/v1/users?api_key=[redacted]&page=2"))
    }

    @Test func withoutAScrubberURLsAreStoredAsSent() throws {
        let url = "https://a.example/?token=t#x"
        let result = EventValidator(urlScrubber: nil).validate(try Fixture.body(.pageview, [("url", "\"\(url)\"")]), kind: .pageview, stamp: Fixture.stamp)
        #expect(try canonicalObject(result)["url"] == .string(url))
    }
}
