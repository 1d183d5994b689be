import HTTPTypes
import HummingbirdTesting
import SluiceCore
import Testing

/// Bodies an attacker or a buggy client sends: each gets a 4xx naming the field
/// and the problem, nothing reaches a stream, and ingest keeps answering.
@Suite struct RefusedBodyTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let route: String
        let body: [UInt8]
        var contentType: String? = "application/json"
        let status: HTTPResponse.Status
        /// A field the answer's details must name.
        let field: String
        var testDescription: String { name }
    }

    static let deep = String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000)
    static let valid = Array(#"{"eventType":"a","eventName":"b"}"#.utf8)
    static let cases: [Case] = [
        Case(name: "not JSON", route: "track/event", body: Array("eventType=auth".utf8), status: .badRequest, field: "(body)"),
        Case(
            name: "form content type", route: "track/event", body: valid, contentType: "application/x-www-form-urlencoded", status: .unsupportedMediaType,
            field: "content-type"),
        Case(name: "no content type", route: "track/event", body: valid, contentType: nil, status: .unsupportedMediaType, field: "content-type"),
        Case(
            name: "near-miss content type", route: "track/event", body: valid, contentType: "application/jsonp", status: .unsupportedMediaType,
            field: "content-type"),
        Case(
            name: "json as a parameter", route: "track/event", body: valid, contentType: "text/html; x=application/json", status: .unsupportedMediaType,
            field: "content-type"),
        Case(name: "empty body", route: "track/event", body: [], status: .badRequest, field: "(body)"),
        Case(name: "array body", route: "track/event", body: Array("[1,2]".utf8), status: .badRequest, field: "(body)"),
        Case(
            name: "wrong types", route: "track/api", body: Array(#"{"endpoint":5,"method":"GET","statusCode":"200"}"#.utf8), status: .badRequest,
            field: "statusCode"),
        Case(name: "missing required", route: "track/chat", body: Array(#"{"agentName":"x"}"#.utf8), status: .badRequest, field: "agentId"),
        Case(
            name: "unknown batch type", route: "batch", body: Array(#"{"batch":[{"type":"purchase","amount":1}]}"#.utf8), status: .badRequest,
            field: "batch[0].type"),
        Case(
            name: "operator key", route: "track/event", body: Array(#"{"eventType":"a","eventName":"b","eventData":{"$where":"1"}}"#.utf8), status: .badRequest,
            field: "eventData.$where"),
        Case(
            name: "dotted key deep in an array", route: "track/tool", body: Array(#"{"toolName":"t","inputData":[{"ok":{"a.b":1}}]}"#.utf8),
            status: .badRequest, field: "inputData[0].ok.a.b"),
        Case(name: "deep nesting", route: "track/event", body: Array(deep.utf8), status: .badRequest, field: "(body)"),
        Case(
            name: "invalid UTF-8", route: "track/event", body: Array(#"{"eventType":""#.utf8) + [0xC3, 0x28] + Array(#"","eventName":"b"}"#.utf8),
            status: .badRequest, field: "(body)"),
        Case(
            name: "oversize request", route: "track/event",
            body: Array((#"{"eventType":"a","eventName":"b","properties":{"x":""# + String(repeating: "a", count: 600_000) + #""}}"#).utf8),
            status: .contentTooLarge, field: "(body)"),
        Case(
            name: "oversize event", route: "track/event",
            body: Array((#"{"eventType":"a","eventName":"b","properties":{"x":""# + String(repeating: "a", count: 40_000) + #""}}"#).utf8),
            status: .contentTooLarge, field: "(body)"),
        Case(
            name: "containers packed densely", route: "track/event",
            body: Array(
                (#"{"eventType":"a","eventName":"b","properties":{"m":["# + Array(repeating: "[[[[0]]]]", count: 500).joined(separator: ",") + "]}}").utf8),
            status: .badRequest, field: "(body)"),
        Case(
            name: "empty key", route: "track/event", body: Array(#"{"eventType":"a","eventName":"b","properties":{"":1}}"#.utf8), status: .badRequest,
            field: "properties."),
        Case(
            name: "NUL in a key", route: "track/event", body: Array(#"{"eventType":"a","eventName":"b","properties":{"a\u0000b":1}}"#.utf8),
            status: .badRequest, field: #"properties.a\u0000b"#),
        Case(
            name: "too many in a batch", route: "batch",
            body: Array(
                (#"{"batch":["# + Array(repeating: #"{"type":"event","eventType":"a","eventName":"b"}"#, count: 501).joined(separator: ",") + "]}").utf8),
            status: .contentTooLarge, field: "batch"),
    ]

    @Test func hostileBodiesAreRefusedWithFieldAndProblemAndNothingIsQueued() async throws {
        let bed = try IngestTestBed.fresh()
        let health = try await bed.test { client in
            for testCase in Self.cases {
                let reply = try await client.post(testCase.route, bytes: testCase.body, contentType: testCase.contentType)
                #expect(reply.status == testCase.status, "\(testCase.name): \(reply.status) \(String(buffer: reply.body))")
                #expect(reply.json?["error"]?.stringValue?.isEmpty == false, "\(testCase.name): no error code")
                let fields = reply.problems.map(\.field)
                #expect(fields.contains(testCase.field), "\(testCase.name): details name \(fields), expected \(testCase.field)")
                #expect(!reply.problems.isEmpty && reply.problems.allSatisfy { !$0.problem.isEmpty }, "\(testCase.name): a detail without a problem")
            }
            return try await client.execute(uri: "/healthz", method: .get).status
        }
        #expect(try bed.entries().isEmpty, "a refused event was queued")
        #expect(health == .ok)
    }

    @Test func aBatchWithOneBadEventIsRefusedWholeNamingIt() async throws {
        let bed = try IngestTestBed.fresh()
        let reply = try await bed.test { client in
            try await client.post("batch", #"{"batch":[{"type":"event","eventType":"a","eventName":"b"},{"type":"event","eventType":"a"}]}"#)
        }
        #expect(reply.status == .badRequest && reply.json?["error"]?.stringValue == "invalid_event")
        #expect(reply.problems.map(\.field) == ["batch[1].eventName"], "\(reply.problems)")
        #expect(try bed.entries().isEmpty, "the valid half of a refused batch was queued")
    }
}
