import Foundation
import SluiceCore
import Testing

/// A relaying server's `context.userAgent` is parsed exactly as the same agent in
/// the `User-Agent` header is, over a sample of uap-core's own test agents.
@Suite struct RelayedDeviceSampleTests {
    /// Every `step`-th agent of a uap-core test file that can travel in a header
    /// (printable ASCII, at most 1024 bytes).
    static func sample(_ file: String, step: Int) throws -> [String] {
        let text = try String(contentsOfFile: "/usr/share/uap-core/tests/\(file)", encoding: .utf8)
        let prefix = "  - user_agent_string: "
        let agents = text.split(separator: "\n").filter { $0.hasPrefix(prefix) }.compactMap { line -> String? in
            var value = line.dropFirst(prefix.count)
            guard let quote = value.first, quote == "'" || quote == "\"", value.last == quote, value.count >= 2 else { return nil }
            value = value.dropFirst().dropLast()
            return quote == "'" ? value.replacingOccurrences(of: "''", with: "'") : (value.contains("\\") ? nil : String(value))
        }
        return agents.enumerated().filter { $0.offset % step == 0 }.map(\.element)
            .filter { agent in !agent.isEmpty && agent.utf8.count <= 1024 && agent.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F } }
    }

    @Test func relayedAgentsGetTheSameDeviceAsTheHeader() async throws {
        let agents = Array(Set(try Self.sample("test_device.yaml", step: 80) + Self.sample("test_ua.yaml", step: 10))).sorted()
        #expect(agents.count > 200, "sample of \(agents.count)")
        let sites = try ServerSenderTests.sitesFile()
        defer { try? FileManager.default.removeItem(at: sites) }
        let stack = try await TestStack(prefix: "relayed-sample", ingestSettings: ["SLUICE_SITES": sites.path, "SLUICE_RATE_LIMIT_ADDRESS": "off"])
        let url = "\(stack.baseURL)/api/analytics/batch"
        func event(_ id: String, userAgent: String? = nil) -> JSONValue {
            var object = JSONObject([
                ("type", .string("pageview")), ("id", .string(id)), ("visitorId", .string("v-\(id)")), ("url", .string("https://shop.example/")),
            ])
            if let userAgent { object["context"] = .object(JSONObject([("userAgent", .string(userAgent))])) }
            return .object(object)
        }
        func batch(_ events: [JSONValue]) -> String { JSONWriter.string(of: .object(JSONObject([("batch", .array(events))]))) }
        for (index, agent) in agents.enumerated() {
            let reply = try await HTTP.post(
                url, json: batch([event("h-\(index)")]), headers: ["X-Sluice-Key": ServerSenderTests.writeKey, "User-Agent": agent])
            #expect(reply.status == 202, "\(agent): \(reply.text)")
        }
        // The relaying server: Node's agent in its header, each visitor's in context.userAgent.
        let relayed = agents.enumerated().map { event("r-\($0.offset)", userAgent: $0.element) }
        let reply = try await HTTP.post(url, json: batch(relayed), headers: ["X-Sluice-Key": ServerSenderTests.serverKey, "User-Agent": "node"])
        #expect(reply.status == 202, "\(reply.text)")

        let stored = try StoredDocuments(url: stack.mongoURL)
        #expect(
            try await eventually(timeout: .seconds(60)) { try stored.count(EventKind.pageview.collection) == 2 * agents.count },
            "worker log:\n\(stack.worker?.log ?? "")")
        var devices: [String: JSONValue] = [:]
        var agentsStored: [String: JSONValue] = [:]
        for page in try stored.find(EventKind.pageview.collection) {
            guard let id = page["eventId"]?.stringValue else { continue }
            devices[id] = page["device"] ?? .null
            agentsStored[id] = page["userAgent"] ?? .null
        }
        var differing: [String] = []
        for (index, agent) in agents.enumerated() where devices["h-\(index)"] != devices["r-\(index)"] || agentsStored["r-\(index)"] != .string(agent) {
            differing.append("\(agent): header \(String(describing: devices["h-\(index)"])), relayed \(String(describing: devices["r-\(index)"]))")
        }
        #expect(differing.isEmpty, "\(differing.count) of \(agents.count) differ:\n\(differing.prefix(10).joined(separator: "\n"))")
        #expect(
            devices.values.contains { $0.objectValue?["type"] == .string("mobile") }
                && devices.values.contains { $0.objectValue?["type"] == .string("desktop") })
        try await stack.stop()
    }
}
