import SluiceCore
import SluiceValidation
import Testing

@Suite("EventValidator: MongoDB-unsafe keys")
struct EventValidatorKeyTests {
    let validator = EventValidator()

    @Test(arguments: [
        (EventKind.chat, "properties", #"{"$where": "1"}"#, "properties.$where"),
        (.chat, "properties", #"{"a.b": 1}"#, "properties.a.b"),
        (.chat, "properties", #"{"outer": {"inner": {"$gt": 1}}}"#, "properties.outer.inner.$gt"),
        (.chat, "properties", #"{"list": [1, {"$set": 2}]}"#, "properties.list[1].$set"),
        (.chat, "properties", #"{"m": [[{"x.y": 0}]]}"#, "properties.m[0][0].x.y"),
        (.pageview, "context", #"{"page": {"$ne": null}}"#, "context.page.$ne"),
        (.pageview, "context", #"{"screen.width": 1024}"#, "context.screen.width"),
        (.event, "eventData", #"{"$inc": {"n": 1}}"#, "eventData.$inc"),
        (.event, "eventData", #"[{"ok": 1}, {"$bad": 1}]"#, "eventData[1].$bad"),
        (.tool, "inputData", #"{"q": {"a.b": 1}}"#, "inputData.q.a.b"),
        (.tool, "outputData", #"[[{"$x": 1}]]"#, "outputData[0][0].$x"),
        (.lab, "inputData", #"{"$": 1}"#, "inputData.$"),
        (.lab, "outputData", #"{"rows": [{"v": {"$oid": "x"}}]}"#, "outputData.rows[0].v.$oid"),
        (.chat, "properties", #"{".": 1}"#, "properties.."),
    ])
    func unsafeKeysAreRejectedWithTheirFullPath(kind: EventKind, field: String, valueJSON: String, path: String) throws {
        let result = validator.validate(try Fixture.body(kind, [(field, valueJSON)]), kind: kind, stamp: Fixture.stamp)
        #expect(problemFields(result) == [path])
        let problem = try #require(problems(result).first?.problem)
        #expect(problem.contains("'$'") || problem.contains("'.'"))
    }

    @Test func dollarProblemAndDotProblemSayWhich() throws {
        let result = validator.validate(try Fixture.body(.chat, [("properties", #"{"$a": 1, "b.c": 2}"#)]), kind: .chat, stamp: Fixture.stamp)
        let found = problems(result)
        #expect(found.map(\.field) == ["properties.$a", "properties.b.c"])
        #expect(found.first?.problem.contains("'$'") == true)
        #expect(found.last?.problem.contains("'.'") == true)
    }

    @Test func everyUnsafeKeyInOneValueIsReported() throws {
        let value = #"{"$a": {"$b": 1}, "ok": [{"c.d": 1}, {"$e": 1}]}"#
        let result = validator.validate(try Fixture.body(.event, [("eventData", value)]), kind: .event, stamp: Fixture.stamp)
        #expect(problemFields(result) == ["eventData.$a", "eventData.$a.$b", "eventData.ok[0].c.d", "eventData.ok[1].$e"])
    }

    @Test func dollarsAndDotsInValuesOrMidKeyAreFine() throws {
        let properties = #"{"price": "$5.00", "a$": 1, "url": "https://a.com/x.y", "list": ["$set", "a.b"], "nested": {"k": "$gt"}}"#
        let result = validator.validate(try Fixture.body(.chat, [("properties", properties)]), kind: .chat, stamp: Fixture.stamp)
        let object = try canonicalObject(result)
        #expect(object["properties"] == (try JSONParser.parse(properties)))
    }

    @Test func scalarFreeFormValuesAreAccepted() throws {
        let result = validator.validate(try Fixture.body(.tool, [("inputData", #""$where""#), ("outputData", "42")]), kind: .tool, stamp: Fixture.stamp)
        let object = try canonicalObject(result)
        #expect(object["inputData"] == .string("$where"))
        #expect(object["outputData"] == .int(42))
    }
}
