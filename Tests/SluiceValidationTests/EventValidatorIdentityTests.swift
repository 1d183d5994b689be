import SluiceCore
import SluiceValidation
import Testing

@Suite("EventValidator: id, visitor, timestamp, size")
struct EventValidatorIdentityTests {
    let validator = EventValidator()

    private func accept(_ changes: [(String, String?)], kind: EventKind = .tool, stamp: RequestStamp = Fixture.stamp) throws -> (ValidatedEvent, JSONObject) {
        let result = validator.validate(try Fixture.body(kind, changes), kind: kind, stamp: stamp)
        return (try #require(result.value, "\(problems(result))"), try canonicalObject(result))
    }

    @Test func idWinsOverMessageId() throws {
        let (event, object) = try accept([("messageId", #""m-1""#), ("id", #""i-1""#)])
        #expect(event.id == "i-1")
        #expect(object["id"] == .string("i-1"))
    }

    @Test func messageIdIsUsedWhenIdIsAbsent() throws {
        let (event, object) = try accept([("messageId", #""m-1""#)])
        #expect(event.id == "m-1")
        #expect(object["id"] == .string("m-1"))
    }

    @Test func idOfHundredCharactersIsAcceptedAndOver100Rejected() throws {
        _ = try accept([("id", "\"" + String(repeating: "x", count: 100) + "\"")])
        let result = validator.validate(try Fixture.body(.tool, [("id", "\"" + String(repeating: "x", count: 101) + "\"")]), kind: .tool, stamp: Fixture.stamp)
        #expect(problemFields(result) == ["id"])
        let long = validator.validate(
            try Fixture.body(.tool, [("messageId", "\"" + String(repeating: "x", count: 101) + "\"")]), kind: .tool, stamp: Fixture.stamp)
        #expect(problemFields(long) == ["messageId"])
    }

    @Test func generatedIdLooksLikeAUUIDAndIsFreshEachTime() throws {
        let (first, object) = try accept([])
        let (second, _) = try accept([])
        #expect(object["id"] == .string(first.id))
        #expect(first.id != second.id)
        let groups = first.id.split(separator: "-", omittingEmptySubsequences: false)
        #expect(groups.map(\.count) == [8, 4, 4, 4, 12])
        #expect(first.id.allSatisfy { $0 == "-" || $0.isNumber || ("a"..."f").contains($0) })
    }

    @Test func visitorIdFromBodyWinsOverCookie() throws {
        let (event, object) = try accept([("visitorId", #""body-visitor""#)])
        #expect(event.visitorId == "body-visitor")
        #expect(object["visitorId"] == .string("body-visitor"))
    }

    @Test func cookieVisitorIdIsUsedOtherwise() throws {
        let stamp = RequestStamp(receivedAt: Fixture.receivedAt, ip: nil, userAgent: nil, cookieVisitorId: "fresh-cookie")
        let (event, object) = try accept([], stamp: stamp)
        #expect(event.visitorId == "fresh-cookie")
        #expect(object["visitorId"] == .string("fresh-cookie"))
    }

    @Test(arguments: [
        (#""2026-11-25T12:00:00Z""#, Int64(1_795_608_000_000)),
        (#""2026-11-25T13:00:00.250+01:00""#, 1_795_608_000_250),
        (#""2026-11-25""#, 1_795_564_800_000),
        ("1795608000123", 1_795_608_000_123),
        ("1795608000123.7", 1_795_608_000_123),
    ])
    func timestampIsNormalisedToEpochMilliseconds(json: String, expected: Int64) throws {
        let (_, object) = try accept([("timestamp", json)])
        #expect(object["timestamp"] == .int(expected))
        #expect(object["receivedAt"] == .int(Fixture.receivedAt))
    }

    @Test func sentAtIsNormalisedToo() throws {
        let (_, object) = try accept([("sentAt", #""2026-11-25T12:00:00Z""#)])
        #expect(object["sentAt"] == .int(1_795_608_000_000))
    }

    @Test func absentTimestampIsReceivedAt() throws {
        let (_, object) = try accept([])
        #expect(object["timestamp"] == .int(Fixture.receivedAt))
    }

    @Test(arguments: ["1764000000", "0", "-1", #""1999-12-31T23:59:59.999Z""#, #""2100-01-01T00:00:00.001Z""#, "4102444800001"])
    func timestampsOutsideTheAcceptedRangeAreRejected(json: String) throws {
        let result = validator.validate(try Fixture.body(.tool, [("timestamp", json)]), kind: .tool, stamp: Fixture.stamp)
        #expect(problemFields(result) == ["timestamp"])
        #expect(problems(result).first?.problem.contains("outside") == true)
    }

    @Test func eventOverMaxEventBytesIsTooLarge() throws {
        let small = EventValidator(limits: EventLimits(maxEventBytes: 300))
        let fits = small.validate(
            try Fixture.body(.chat, [("userMessage", "\"" + String(repeating: "a", count: 20) + "\"")]), kind: .chat, stamp: Fixture.stamp)
        let size = try #require(fits.value).json.count
        #expect(size <= 300)

        let pad = String(repeating: "a", count: 20 + 300 - size + 1)
        let over = small.validate(try Fixture.body(.chat, [("userMessage", "\"\(pad)\"")]), kind: .chat, stamp: Fixture.stamp)
        guard case .tooLarge(let found)? = over.error else {
            Issue.record("expected .tooLarge, got \(over)")
            return
        }
        #expect(found.map(\.field) == ["(body)"])
        #expect(found.first?.problem.contains("limit is 300") == true)

        let exact = String(repeating: "a", count: 20 + 300 - size)
        #expect(small.validate(try Fixture.body(.chat, [("userMessage", "\"\(exact)\"")]), kind: .chat, stamp: Fixture.stamp).value?.json.count == 300)
    }

    @Test func defaultLimitAllowsALargeEvent() throws {
        let text = "\"" + String(repeating: "a", count: 16_000) + "\""
        _ = try accept([("userMessage", text), ("aiResponse", text)], kind: .chat)
        let tooBig = validator.validate(
            try Fixture.body(.chat, [("userMessage", text), ("aiResponse", text), ("properties", #"{"x":\#(text)}"#)]), kind: .chat, stamp: Fixture.stamp)
        guard case .tooLarge(let found)? = tooBig.error else {
            Issue.record("expected .tooLarge, got \(tooBig)")
            return
        }
        #expect(found.map(\.field) == ["(body)"])
        #expect(found.first?.problem.contains("the limit is 32768") == true)
    }

    @Test(arguments: ["[]", "\"event\"", "null", "42", "true", #"[{"toolName":"t"}]"#])
    func nonObjectBodyIsAProblemOnBody(text: String) throws {
        let result = try validator.validate(text, kind: .tool)
        guard case .invalid(let found)? = result.error else {
            Issue.record("expected .invalid, got \(result)")
            return
        }
        #expect(found.map(\.field) == ["(body)"])
        #expect(found.first?.problem.contains("must be a JSON object") == true)
    }
}
