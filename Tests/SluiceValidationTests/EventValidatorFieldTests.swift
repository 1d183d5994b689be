import SluiceCore
import SluiceValidation
import Testing

@Suite("EventValidator: fields")
struct EventValidatorFieldTests {
    let validator = EventValidator()

    @Test(arguments: EventKind.allCases)
    func everyRequiredFieldIsReportedWhenMissing(kind: EventKind) {
        let result = validator.validate(.object(JSONObject()), kind: kind, stamp: Fixture.stamp)
        #expect(Set(problemFields(result)) == Set(Fixture.requiredFields(kind)))
        #expect(problems(result).allSatisfy { $0.problem.contains("required") })
    }

    @Test(arguments: EventKind.allCases.flatMap { kind in Fixture.requiredFields(kind).map { (kind, $0) } })
    func eachRequiredFieldAloneIsReported(kind: EventKind, field: String) throws {
        let result = validator.validate(try Fixture.body(kind, [(field, nil)]), kind: kind, stamp: Fixture.stamp)
        #expect(result.error == .invalid([ValidationProblem(field: field, problem: "is required for a \(kind.rawValue) event")]))
    }

    @Test(arguments: EventKind.allCases.flatMap { kind in Fixture.requiredFields(kind).map { (kind, $0) } })
    func eachRequiredFieldAloneIsReportedWhenNull(kind: EventKind, field: String) throws {
        let result = validator.validate(try Fixture.body(kind, [(field, "null")]), kind: kind, stamp: Fixture.stamp)
        #expect(result.error == .invalid([ValidationProblem(field: field, problem: "is required for a \(kind.rawValue) event, got null")]))
    }

    /// A required field that is present but malformed is reported for its shape, not as missing.
    @Test func presentButMalformedRequiredFieldIsNotReportedMissing() throws {
        let result = validator.validate(try Fixture.body(.api, [("endpoint", "5"), ("method", "null")]), kind: .api, stamp: Fixture.stamp)
        #expect(
            result.error
                == .invalid([
                    ValidationProblem(field: "endpoint", problem: "must be a string, got number"),
                    ValidationProblem(field: "method", problem: "is required for a api event, got null"),
                ]))
    }

    @Test(arguments: [
        (EventKind.chat, "agentId", "5", "must be a string, got number"),
        (.chat, "userMessage", "true", "must be a string, got boolean"),
        (.chat, "responseTime", #""fast""#, "must be a number, got string"),
        (.chat, "responseTime", "-1", "must be between 0 and 86400000, got -1"),
        (.chat, "responseTime", "86400001", "must be between 0 and 86400000"),
        (.feedback, "satisfied", #""yes""#, "must be true or false, got string"),
        (.feedback, "satisfied", "1", "must be true or false, got number"),
        (.tool, "success", #""true""#, "must be true or false"),
        (.tool, "executionTime", "[1]", "must be a number, got array"),
        (.lab, "processingTime", "-0.5", "must be between"),
        (.event, "eventName", "{}", "must be a string, got object"),
        (.pageview, "scrollDepth", "101", "must be between 0 and 100, got 101"),
        (.pageview, "scrollDepth", "-1", "must be between 0 and 100"),
        (.pageview, "timeSpent", "false", "must be a number, got boolean"),
        (.api, "statusCode", "99", "must be between 100 and 599, got 99"),
        (.api, "statusCode", "600", "must be between 100 and 599, got 600"),
        (.api, "statusCode", "200.5", "must be an integer, got a fraction"),
        (.api, "statusCode", #""200""#, "must be an integer, got string"),
        (.api, "responseTime", "-3", "must be between 0 and 86400000"),
        (.api, "method", #""GETTTTTTTTTTTTTTT""#, "is 17 bytes long, the limit is 16"),
        (.chat, "properties", "[]", "must be an object, got array"),
        (.chat, "context", #""page""#, "must be an object, got string"),
        (.chat, "userId", "42", "must be a string, got number"),
        (.chat, "timestamp", #""next tuesday""#, "must be an ISO 8601 date-time"),
        (.chat, "timestamp", "true", "must be an ISO 8601 date-time"),
    ])
    func wrongShapesAreReportedOnTheField(kind: EventKind, field: String, valueJSON: String, fragment: String) throws {
        let result = validator.validate(try Fixture.body(kind, [(field, valueJSON)]), kind: kind, stamp: Fixture.stamp)
        let found = problems(result)
        #expect(found.count == 1)
        #expect(found.first?.field == field)
        #expect(found.first?.problem.contains(fragment) == true, "\(String(describing: found.first))")
    }

    @Test(arguments: [
        (EventKind.api, "statusCode", "100"), (.api, "statusCode", "599"), (.pageview, "scrollDepth", "0"), (.pageview, "scrollDepth", "99.5"),
        (.chat, "responseTime", "86400000"),
    ])
    func boundaryValuesAreAccepted(kind: EventKind, field: String, valueJSON: String) throws {
        let result = validator.validate(try Fixture.body(kind, [(field, valueJSON)]), kind: kind, stamp: Fixture.stamp)
        #expect(result.value != nil, "\(problems(result))")
    }

    @Test func stringLimitsCountUTF8Bytes() throws {
        let ok = validator.validate(try Fixture.body(.chat, [("agentId", "\"" + String(repeating: "a", count: 100) + "\"")]), kind: .chat, stamp: Fixture.stamp)
        #expect(ok.value != nil)
        // 51 × "é" is 51 characters but 102 bytes.
        let tooLong = validator.validate(
            try Fixture.body(.chat, [("agentId", "\"" + String(repeating: "é", count: 51) + "\"")]), kind: .chat, stamp: Fixture.stamp)
        #expect(problemFields(tooLong) == ["agentId"])
    }

    @Test(arguments: [("foo", EventKind.chat), ("url", .chat), ("agentId", .pageview), ("$where", .tool), ("Type", .event)])
    func unknownTopLevelFieldsAreRejected(field: String, kind: EventKind) throws {
        let result = validator.validate(try Fixture.body(kind, [(field, "1")]), kind: kind, stamp: Fixture.stamp)
        #expect(problemFields(result) == [field])
        #expect(problems(result).first?.problem.contains("unknown field") == true)
    }

    @Test func nullForAnOptionalFieldIsDropped() throws {
        let body = try Fixture.body(.chat, [("agentName", "null"), ("userId", "null"), ("properties", "null"), ("timestamp", "null"), ("id", "null")])
        let result = validator.validate(body, kind: .chat, stamp: Fixture.stamp)
        let object = try canonicalObject(result)
        #expect(!object.contains("agentName"))
        #expect(!object.contains("userId"))
        #expect(!object.contains("properties"))
        #expect(object["timestamp"] == .int(Fixture.receivedAt))
        #expect(object["id"]?.stringValue?.count == 36)
    }

    @Test(arguments: EventKind.allCases.flatMap { kind in Fixture.requiredFields(kind).map { (kind, $0) } })
    func nullForARequiredFieldIsAProblem(kind: EventKind, field: String) throws {
        let result = validator.validate(try Fixture.body(kind, [(field, "null")]), kind: kind, stamp: Fixture.stamp)
        #expect(result.value == nil)
        #expect(!problemFields(result).isEmpty)
        #expect(problemFields(result).allSatisfy { $0 == field })
        #expect(problems(result).contains { $0.problem.contains("required") && $0.problem.contains("null") })
    }

    @Test func everyProblemIsReportedAtOnce() throws {
        let text = #"""
            {"agentId": 5, "responseTime": -1, "foo": 1, "language": ["en"],
             "properties": {"$a": 1, "b.c": 2}, "timestamp": 1764000000}
            """#
        let result = try validator.validate(text, kind: .chat)
        guard case .invalid(let found)? = result.error else {
            Issue.record("expected .invalid, got \(result)")
            return
        }
        #expect(found.count == 8)
        #expect(found.map(\.field).sorted() == ["agentId", "foo", "language", "properties.$a", "properties.b.c", "responseTime", "timestamp", "userMessage"])
    }
}
