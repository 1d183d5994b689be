import Foundation
import HTTPTypes
import HummingbirdTesting
import SluiceCore
import Testing

/// The tracking routes in-process: a 202 means the stamped event is in its visitor's
/// partition stream, laid out as the stream contract says.
@Suite struct TrackingRouteTests {
    @Test func aTrackedEventIsStampedAndAppendedToItsVisitorsPartition() async throws {
        let bed = try IngestTestBed.fresh()
        let before = Int64(Date().timeIntervalSince1970 * 1000)
        let reply = try await bed.test { client in
            try await client.post(
                "track/event", #"{"eventType":"click","eventName":"buy","properties":{"plan":"pro","seats":3}}"#,
                headers: [.cookie: "sluice_visitor=visitor-1", .userAgent: "TestAgent/1.0"])
        }
        let after = Int64(Date().timeIntervalSince1970 * 1000)
        #expect(reply.status == .accepted, "\(String(buffer: reply.body))")
        let id = try #require(reply.json?["id"]?.stringValue)

        let stream = StreamLayout.streamKey(partition: StreamLayout.partition(visitorId: "visitor-1", partitions: IngestTestBed.partitions))
        let entries = try bed.entries()
        #expect(entries.count == 1 && entries.first?.stream == stream, "\(entries.map(\.stream))")
        let entry = try #require(entries.first)
        #expect(entry.version == StreamLayout.schemaVersion)
        #expect(entry.string("id") == id && entry.string("type") == EventKind.event.rawValue && entry.string("visitorId") == "visitor-1")
        #expect(entry.string("eventType") == "click" && entry.string("eventName") == "buy" && entry.string("ua") == "TestAgent/1.0")
        #expect(entry.event["properties"]?.objectValue?["seats"] == .int(3))
        guard case .int(let receivedAt)? = entry.event["receivedAt"] else { throw TestFailure("no receivedAt in \(entry.event)") }
        #expect((before...after).contains(receivedAt), "receivedAt \(receivedAt) outside \(before)...\(after)")
        // A known visitor gets no new cookie.
        #expect(reply.headers[.setCookie] == nil)
    }

    @Test func aBatchIsAcceptedWholeInOrderWithItsIds() async throws {
        let bed = try IngestTestBed.fresh()
        let events = (0..<3).map { #"{"type":"event","id":"batch-\#($0)","eventType":"step","eventName":"n\#($0)"}"# }
        let reply = try await bed.test { client in
            try await client.post("batch", #"{"batch":[\#(events.joined(separator: ","))]}"#, headers: [.cookie: "sluice_visitor=visitor-2"])
        }
        #expect(reply.status == .accepted, "\(String(buffer: reply.body))")
        #expect(reply.json?["accepted"] == .int(3))
        #expect(reply.json?["ids"] == .array(["batch-0", "batch-1", "batch-2"].map { .string($0) }))
        // One visitor, one partition: the entries keep the order sent, their ids rising.
        let entries = try bed.entries()
        #expect(entries.map { $0.string("id") } == ["batch-0", "batch-1", "batch-2"])
        #expect(Set(entries.map(\.stream)).count == 1 && entries.map(\.id) == entries.map(\.id).sorted())
    }

    @Test func aFirstVisitGetsTheCookieNamingItsEntriesVisitor() async throws {
        let bed = try IngestTestBed.fresh()
        let reply = try await bed.test { client in
            try await client.post("track/pageview", #"{"url":"https://example.com/pricing"}"#)
        }
        #expect(reply.status == .accepted, "\(String(buffer: reply.body))")
        let cookie = try #require(reply.headers[.setCookie], "no cookie on a first visit")
        let visitor = try #require(cookie.split(separator: ";").first?.split(separator: "=", maxSplits: 1).last.map(String.init))
        #expect(cookie.hasPrefix("sluice_visitor=") && cookie.contains("HttpOnly"), "\(cookie)")
        let entries = try bed.entries()
        #expect(entries.map { $0.string("visitorId") } == [visitor])
        #expect(entries.first?.stream == StreamLayout.streamKey(partition: StreamLayout.partition(visitorId: visitor, partitions: IngestTestBed.partitions)))
    }

    @Test func mediaTypesAreMatchedWithoutCaseSpacesOrParameters() async throws {
        let bed = try IngestTestBed.fresh()
        let statuses = try await bed.test { client in
            var statuses: [String: HTTPResponse.Status] = [:]
            for contentType in [" Application/JSON ; charset=utf-8", "TEXT/PLAIN", "application/json;charset=UTF-8"] {
                statuses[contentType] = try await client.post("track/event", #"{"eventType":"a","eventName":"b"}"#, contentType: contentType).status
            }
            return statuses
        }
        #expect(statuses.values.allSatisfy { $0 == .accepted }, "\(statuses)")
        #expect(try bed.entries().count == 3)
    }
}

/// A failure with a message, for a `guard` in a test.
struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
