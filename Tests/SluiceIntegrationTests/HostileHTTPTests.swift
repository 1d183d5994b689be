import Foundation
import Testing

/// Slow-loris clients and oversized headers: the connection is cut, ingest keeps
/// serving others, and its memory stays bounded.
@Suite struct HostileHTTPTests {
    /// A raw TCP connection to ingest.
    final class RawConnection {
        let fd: Int32

        init(port: Int) throws {
            fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = UInt16(port).bigEndian
            let connected = withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
            }
            try #require(connected, "cannot connect to ingest on \(port)")
            var timeout = timeval(tv_sec: 0, tv_usec: 50_000)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var noSignal: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &noSignal, socklen_t(MemoryLayout<Int32>.size))
        }

        /// Sends bytes; false once the server has closed the connection.
        @discardableResult
        func send(_ text: String) -> Bool {
            Array(text.utf8).withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } > 0
        }

        /// Whether the server has closed its side (a read returns end of file).
        var isClosedByServer: Bool {
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = recv(fd, &buffer, buffer.count, 0)
                if count == 0 { return true }
                if count < 0 { return errno == ECONNRESET }
            }
        }

        deinit { close(fd) }
    }

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
