import SluiceCore
import SluiceValidation
import Testing

@Suite("EventValidator: batches")
struct EventBatchTests {
    let validator = EventValidator()

    private func batch(_ text: String, limits: EventLimits = EventLimits()) throws -> Result<[ValidatedEvent], EventRejection> {
        EventValidator(limits: limits).validateBatch(try JSONParser.parse(text), stamp: Fixture.stamp)
    }

    /// A batch element: the minimal body of `kind` with its `type` and `id` added.
    private func element(_ kind: EventKind, id: String) -> String {
        let body = Fixture.minimalBody(kind)
        return #"{"type":"\#(kind.rawValue)","id":"\#(id)","# + body.dropFirst()
    }

    @Test func validMixedBatchKeepsOrder() throws {
        let kinds = EventKind.allCases + [.chat, .pageview]
        let elements = kinds.enumerated().map { element($1, id: "e\($0)") }
        let result = try batch(#"{"writeKey":"wk","sentAt":"2026-11-25T12:00:00Z","batch":[\#(elements.joined(separator: ","))]}"#)
        let events = try #require(result.value, "\(problems(result))")
        #expect(events.map(\.kind) == kinds)
        #expect(events.map(\.id) == kinds.indices.map { "e\($0)" })
        for (event, kind) in zip(events, kinds) {
            let object = try #require(try JSONParser.parse(event.json).objectValue)
            #expect(object["type"] == .string(kind.rawValue))
            #expect(object["receivedAt"] == .int(Fixture.receivedAt))
        }
    }

    /// A batch writes its events in one reused buffer with the request's stamp written
    /// once: each must still be byte for byte what validating it alone gives, a long
    /// event followed by a short one included, and with every stamp field set.
    @Test func batchEventsAreWhatValidatingEachAloneGives() throws {
        var stamp = Fixture.stamp
        stamp.siteId = "site-\"7\""
        let long = String(repeating: "line\\n \\u0001 ", count: 400)
        let elements =
            [
                #"{"type":"chat","id":"c1","agentId":"a","userMessage":"\#(long)","timestamp":"2026-11-25T12:00:00Z","sentAt":1795608000000}"#,
                #"{"type":"api","id":"a1","endpoint":"/x","method":"GET","statusCode":200,"responseTime":-0.0}"#,
            ] + EventKind.allCases.enumerated().map { element($1, id: "k\($0)") }
        let redacting = EventValidator(redactor: Redactor())
        let body = try JSONParser.parse(#"{"batch":[\#(elements.joined(separator: ","))]}"#)
        let events = try #require(redacting.validateBatch(body, stamp: stamp).value)
        #expect(events.count == elements.count)
        for (event, text) in zip(events, elements) {
            let element = try JSONParser.parse(text)
            let typeName = try #require(element.objectValue?["type"]?.stringValue)
            let kind = try #require(EventKind(rawValue: typeName))
            let alone = try #require(redacting.validate(element, kind: kind, stamp: stamp).value)
            #expect(event.kind == kind)
            #expect(String(decoding: event.json, as: UTF8.self) == String(decoding: alone.json, as: UTF8.self))
        }
    }

    @Test func unknownTypeIsReportedOnItsElement() throws {
        let result = try batch(#"{"batch":[\#(element(.tool, id: "a")),{"type":"click","x":1}]}"#)
        #expect(problemFields(result) == ["batch[1].type"])
        #expect(problems(result).first?.problem.contains("unknown type \"click\"") == true)
    }

    @Test(arguments: [#"{"toolName":"t"}"#, #"{"type":null,"toolName":"t"}"#, #"{"type":7,"toolName":"t"}"#])
    func missingOrNonStringTypeIsReported(elementText: String) throws {
        let result = try batch(#"{"batch":[\#(elementText)]}"#)
        #expect(problemFields(result) == ["batch[0].type"])
        #expect(problems(result).first?.problem.contains("chat, feedback, tool, lab, event, pageview, api") == true)
    }

    @Test(arguments: ["42", "\"chat\"", "null", "[]"])
    func nonObjectElementIsReported(elementText: String) throws {
        let result = try batch(#"{"batch":[\#(element(.tool, id: "a")),\#(elementText)]}"#)
        #expect(result.value == nil)
        #expect(problemFields(result).count == 1)
        #expect(problemFields(result).first?.hasPrefix("batch[1]") == true)
        #expect(problems(result).first?.problem.contains("must be a JSON object") == true)
    }

    @Test(arguments: [
        (#"{"batch":[]}"#, "batch", "must hold at least one event"),
        (#"{}"#, "batch", "is required"),
        (#"{"events":[]}"#, "events", "unknown field"),
        (#"{"batch":{"type":"tool"}}"#, "batch", "must be an array"),
        (#"{"batch":"x"}"#, "batch", "must be an array"),
        (#"{"batch":null}"#, "batch", "must be an array"),
    ])
    func malformedBatchBodies(text: String, field: String, fragment: String) throws {
        let found = problems(try batch(text))
        #expect(found.contains { $0.field == field && $0.problem.contains(fragment) }, "\(found)")
    }

    @Test func unknownTopLevelKeyRejectsAnOtherwiseValidBatch() throws {
        let result = try batch(#"{"batch":[\#(element(.tool, id: "a"))],"extra":true}"#)
        #expect(
            result.error
                == .invalid([
                    ValidationProblem(field: "extra", problem: "unknown field; a batch body holds \"batch\" (and optionally \"writeKey\", \"sentAt\")")
                ]))
    }

    @Test(arguments: ["[]", "null", #""batch""#])
    func nonObjectBodyIsAProblemOnBody(text: String) throws {
        #expect(problemFields(try batch(text)) == ["(body)"])
    }

    @Test func moreThanMaxBatchEventsIsTooLarge() throws {
        let limits = EventLimits(maxBatchEvents: 3)
        let three = (0..<3).map { element(.tool, id: "t\($0)") }
        #expect(try batch(#"{"batch":[\#(three.joined(separator: ","))]}"#, limits: limits).value?.count == 3)

        let four = (0..<4).map { element(.tool, id: "t\($0)") }
        let result = try batch(#"{"batch":[\#(four.joined(separator: ","))]}"#, limits: limits)
        guard case .tooLarge(let found)? = result.error else {
            Issue.record("expected .tooLarge, got \(result)")
            return
        }
        #expect(found.map(\.field) == ["batch"])
        #expect(found.first?.problem.contains("limit is 3") == true)
    }

    @Test func defaultBatchLimitIs500() throws {
        let elements = Array(repeating: #"{"type":"tool","toolName":"t"}"#, count: 501)
        let result = try batch(#"{"batch":[\#(elements.joined(separator: ","))]}"#)
        guard case .tooLarge? = result.error else {
            Issue.record("expected .tooLarge, got \(result)")
            return
        }
    }

    @Test func problemsCarryElementPathsAndOneBadElementRejectsTheWholeBatch() throws {
        let bad = #"{"type":"chat","agentId":5,"properties":{"a":{"$gt":1}}}"#
        let result = try batch(#"{"batch":[\#(element(.tool, id: "a")),\#(bad),\#(element(.pageview, id: "b"))]}"#)
        guard case .invalid(let found)? = result.error else {
            Issue.record("expected .invalid, got \(result)")
            return
        }
        #expect(found.map(\.field) == ["batch[1].agentId", "batch[1].properties.a.$gt", "batch[1].userMessage"])
    }

    @Test func problemsFromSeveralElementsAreAllReported() throws {
        let result = try batch(#"{"batch":[{"type":"api","method":"GET"},{"type":"nope"},{"type":"pageview","url":"/","scrollDepth":101}]}"#)
        #expect(problemFields(result) == ["batch[0].endpoint", "batch[1].type", "batch[2].scrollDepth"])
    }

    @Test func oversizeElementMakesTheBatchTooLarge() throws {
        let limits = EventLimits(maxEventBytes: 250)
        let big = #"{"type":"tool","toolName":"\#(String(repeating: "t", count: 190))"}"#
        let result = try batch(#"{"batch":[\#(element(.tool, id: "a")),\#(big)]}"#, limits: limits)
        guard case .tooLarge(let found)? = result.error else {
            Issue.record("expected .tooLarge, got \(result)")
            return
        }
        #expect(found.map(\.field) == ["batch[1]"])
    }

    @Test func invalidElementOutranksOversizeElement() throws {
        let limits = EventLimits(maxEventBytes: 250)
        let big = #"{"type":"tool","toolName":"\#(String(repeating: "t", count: 190))"}"#
        let result = try batch(#"{"batch":[\#(big),{"type":"tool"}]}"#, limits: limits)
        guard case .invalid(let found)? = result.error else {
            Issue.record("expected .invalid, got \(result)")
            return
        }
        #expect(found.map(\.field) == ["batch[1].toolName", "batch[0]"])
    }

    @Test func batchLevelSentAtAppliesToElementsWithoutTheirOwnAndIsValidated() throws {
        let validator = EventValidator()
        let body = try JSONParser.parse(
            #"{"sentAt":1767323045678,"batch":[{"type":"event","eventType":"a","eventName":"b"},{"type":"event","eventType":"a","eventName":"b","sentAt":1767323000000}]}"#
        )
        let events = try validator.validateBatch(body, stamp: RequestStamp(receivedAt: 1_767_323_050_000, ip: nil, userAgent: nil, cookieVisitorId: "v")).get()
        let sentAts = try events.map { try JSONParser.parse($0.json).objectValue?["sentAt"] }
        #expect(sentAts == [.int(1_767_323_045_678), .int(1_767_323_000_000)])
        let bad = try JSONParser.parse(#"{"sentAt":[1],"writeKey":5,"batch":[{"type":"event","eventType":"a","eventName":"b"}]}"#)
        guard
            case .failure(.invalid(let problems)) = validator.validateBatch(
                bad, stamp: RequestStamp(receivedAt: 1_767_323_050_000, ip: nil, userAgent: nil, cookieVisitorId: "v"))
        else {
            Issue.record("a batch with a bad sentAt and writeKey was accepted")
            return
        }
        #expect(Set(problems.map(\.field)) == ["sentAt", "writeKey"])
    }
}
