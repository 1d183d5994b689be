import SluiceCore
import SluiceValidation
import Testing

@Suite("EventValidator: each kind")
struct EventValidatorKindTests {
    let validator = EventValidator()

    @Test(arguments: EventKind.allCases)
    func minimalEventPassesWithStampedCanonicalFields(kind: EventKind) throws {
        let result = try validator.validate(Fixture.minimalBody(kind), kind: kind)
        let event = try #require(result.value)
        #expect(event.kind == kind)
        #expect(event.visitorId == "cookie-visitor")

        let object = try canonicalObject(result)
        #expect(Array(object.members.map(\.key).prefix(7)) == ["id", "type", "visitorId", "timestamp", "receivedAt", "ip", "ua"])
        #expect(object["id"] == .string(event.id))
        #expect(object["type"] == .string(kind.rawValue))
        #expect(object["visitorId"] == .string("cookie-visitor"))
        #expect(object["timestamp"] == .int(Fixture.receivedAt))
        #expect(object["receivedAt"] == .int(Fixture.receivedAt))
        #expect(object["ip"] == .string("203.0.113.0"))
        #expect(object["ua"] == .string("TestAgent/1.0"))
    }

    @Test(arguments: EventKind.allCases)
    func kindFieldsAreCarriedOverUnchanged(kind: EventKind) throws {
        let body = try #require(try JSONParser.parse(Fixture.minimalBody(kind)).objectValue)
        let object = try canonicalObject(try validator.validate(Fixture.minimalBody(kind), kind: kind))
        for member in body.members {
            #expect(object[member.key] == member.value, "\(kind).\(member.key)")
        }
        #expect(object.count == 7 + body.count)
    }

    @Test(arguments: EventKind.allCases)
    func writeKeyMessageIdAndTypeAreNotStored(kind: EventKind) throws {
        let body = try Fixture.body(kind, [("writeKey", #""wk_123""#), ("messageId", #""msg-1""#), ("type", #""anything""#)])
        let result = validator.validate(body, kind: kind, stamp: Fixture.stamp)
        let object = try canonicalObject(result)
        #expect(!object.contains("writeKey"))
        #expect(!object.contains("messageId"))
        #expect(object["id"] == .string("msg-1"))
        #expect(object["type"] == .string(kind.rawValue))
        #expect(object.members.filter { $0.key == "type" }.count == 1)
    }

    @Test func stampWithoutIPOrUserAgentOmitsThem() throws {
        let stamp = RequestStamp(receivedAt: Fixture.receivedAt, ip: nil, userAgent: nil, cookieVisitorId: "v")
        let object = try canonicalObject(try validator.validate(Fixture.minimalBody(.tool), kind: .tool, stamp: stamp))
        #expect(!object.contains("ip"))
        #expect(!object.contains("ua"))
    }

    @Test func allOptionalFieldsOfEveryKindAreAccepted() throws {
        let bodies: [EventKind: String] = [
            .chat: #"{"agentId":"a","agentName":"Ada","userMessage":"q","aiResponse":"r","responseTime":1200,"model":"m","language":"en"}"#,
            .feedback: #"{"interactionId":"i","satisfied":false,"feedback":"meh"}"#,
            .tool: #"{"toolName":"t","category":"c","inputData":{"a":1},"outputData":[1,"x"],"success":true,"errorMessage":"","executionTime":5.5}"#,
            .lab:
                #"{"experimentName":"e","experimentType":"ab","inputData":"in","outputData":null,"model":"m","success":false,"errorMessage":"boom","processingTime":0}"#,
            .event: #"{"eventType":"auth","eventName":"signup","eventData":{"plan":"pro"},"success":true,"errorMessage":"x"}"#,
            .pageview: #"{"url":"/x","referrer":"https://r.com","title":"T","pageviewId":"pv1","timeSpent":86400000,"scrollDepth":100}"#,
            .api: #"{"endpoint":"/v1","method":"POST","statusCode":599,"responseTime":0}"#,
        ]
        let common = #""userId":"u","sessionId":"s","sentAt":"2026-11-25T12:00:00Z","context":{"locale":"en"},"properties":{"k":[1]}"#
        for kind in EventKind.allCases {
            let text = try #require(bodies[kind]).dropLast() + "," + common + "}"
            let result = try validator.validate(String(text), kind: kind)
            #expect(result.value != nil, "\(kind): \(problems(result))")
        }
    }

    @Test func kindMetadataFollowsTheDesign() {
        #expect(EventKind.allCases.map(\.rawValue) == ["chat", "feedback", "tool", "lab", "event", "pageview", "api"])
        #expect(EventKind.feedback.collection == "chatinteractions")
        #expect(EventKind.pageview.collection == "pageviews")
        #expect(EventKind.feedback.routePath == "chat/feedback")
        #expect(EventKind.api.routePath == "api")
    }
}
