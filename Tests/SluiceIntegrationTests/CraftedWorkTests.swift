import Foundation
import SluiceCore
import SluiceRedis
import Testing

/// Bodies crafted to make ingest's own work grow faster than their size: at
/// 500 KB each took a core for a minute. At the sizes here the old quadratic
/// scans still took tens of seconds in the debug build the tests run; now each
/// is answered within a few seconds even on a machine busy with the rest of the
/// suite, while `/healthz` keeps answering. The release build's cost per KB
/// beside a typical body is measured by `make bench-adversarial`.
extension LoadSensitiveTests {
    @Suite struct CraftedWorkTests {
        static func properties(_ text: String) -> [UInt8] {
            Array(#"{"eventType":"a","eventName":"b","properties":{"x":"\#(text)"}}"#.utf8)
        }

        static let bodies: [(name: String, body: [UInt8])] = [
            ("dashes before an @", properties(String(repeating: "-", count: 150_000) + "@")),
            ("spaced digits", properties(Array(repeating: "1", count: 75_000).joined(separator: " ") + " @")),
            ("dashed digit pairs", properties(Array(repeating: "12", count: 50_000).joined(separator: "-"))),
            ("many distinct keys", Array(("{" + (0..<15_000).map { #""k\#(100_000 + $0)":0"# }.joined(separator: ",") + "}").utf8)),
            (
                "many keys in properties",
                Array((#"{"eventType":"a","eventName":"b","properties":{"# + (0..<15_000).map { #""k\#(100_000 + $0)":0"# }.joined(separator: ",") + "}}").utf8)
            ),
        ]

        @Test func craftedBodiesAreAnsweredFastAndHealthKeepsAnswering() async throws {
            let stack = try await TestStack(
                prefix: "crafted", startWorker: false, ingestSettings: ["SLUICE_MAX_EVENT_BYTES": "1048576", "SLUICE_MAX_REQUEST_BYTES": "1048576"])
            let url = "\(stack.baseURL)/api/analytics/track/event"
            // The yardstick: a batch of ordinary events of about the same size, on the
            // same machine at the same moment. The old scans took over a hundred times it.
            let typical = Data(
                ("{\"batch\":["
                    + Array(
                        repeating: #"{"type":"event","eventType":"click","eventName":"buy","properties":{"note":"order 42 shipped to the office"}}"#, count: 490
                    ).joined(separator: ",") + "]}").utf8)
            let typicalStarted = ContinuousClock.now
            #expect(try await HTTP.post("\(stack.baseURL)/api/analytics/batch", body: typical).status == 202)
            let bound = max(.seconds(5), (ContinuousClock.now - typicalStarted) * 20)
            for (name, body) in Self.bodies {
                // Two at once, one per core, as the attack did.
                let started = ContinuousClock.now
                async let first = HTTP.post(url, body: Data(body))
                async let second = HTTP.post(url, body: Data(body))
                let healthStarted = ContinuousClock.now
                let health = try await HTTP.get("\(stack.baseURL)/healthz")
                let healthTook = ContinuousClock.now - healthStarted
                let statuses = [try await first.status, try await second.status]
                let took = ContinuousClock.now - started
                #expect(statuses.allSatisfy { (200..<500).contains($0) }, "\(name): \(statuses)")
                #expect(took < bound, "\(name): answered after \(took) (bound \(bound))")
                #expect(health.status == 200 && healthTook < bound, "\(name): /healthz took \(healthTook) (bound \(bound))")
            }
            #expect(stack.ingest.isRunning, "ingest died; log:\n\(stack.ingest.log)")
            try await stack.stop()
        }
    }
}

extension JSONValue {
    var arrayValue: [JSONValue]? {
        if case .array(let elements) = self { return elements }
        return nil
    }
}
