import Foundation
import Testing

/// Slow-loris clients and oversized headers: the connection is cut, ingest keeps
/// serving others, and its memory stays bounded.
@Suite struct HostileHTTPTests {
    private func residentMegabytes(pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
        else { return nil }
        return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]).map { $0 / 1024 }
    }

    @Test func slowClientsAreCutOffWhileOthersAreServed() async throws {
        let stack = try await TestStack(prefix: "slowloris", startWorker: false, ingestSettings: ["SLUICE_REQUEST_TIMEOUT": "2"])
        let slow = try (0..<200).map { _ in try RawConnection(port: stack.ingestPort) }
        for connection in slow { connection.send("POST /api/analytics/track/event HTTP/1.1\r\nHost: 127.0.0.1\r\n") }
        // Trickle a header byte now and then for longer than the deadline.
        for _ in 0..<6 {
            try await Task.sleep(for: .milliseconds(500))
            for connection in slow { connection.send("X") }
            let reply = try await HTTP.post("\(stack.baseURL)/api/analytics/track/event", json: #"{"eventType":"t","eventName":"n"}"#)
            #expect(reply.status == 202, "ingest stopped serving others during the attack")
        }
        // The deadline counts from when ingest accepted each connection, which a loaded machine can delay:
        // keep trickling (so the idle timeout cannot be what cuts them) until every one is cut.
        let allCut = try await eventually(interval: .milliseconds(500)) {
            for connection in slow { connection.send("X") }
            return slow.allSatisfy(\.isClosedByServer)
        }
        let cut = slow.filter(\.isClosedByServer).count
        #expect(allCut && cut == slow.count, "\(slow.count - cut) slow connections still open after the deadline")
        let rss = try #require(residentMegabytes(pid: stack.ingest.pid))
        #expect(rss < 128, "ingest uses \(rss) MB after the attack")

        // A header block far over the limit is refused, not buffered.
        let huge = try RawConnection(port: stack.ingestPort)
        huge.send("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + String(repeating: "a", count: 64 * 1024) + "\r\n\r\n")
        // Well within the 2 s deadline, so it is the refusal that closes it, not the deadline.
        #expect(try await eventually(timeout: .seconds(1), interval: .milliseconds(50)) { huge.isClosedByServer })
        #expect(stack.ingest.isRunning)
        #expect(try await HTTP.get("\(stack.baseURL)/healthz").status == 200)
        try await stack.stop()
    }
}
