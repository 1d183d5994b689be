import Foundation
import Testing

/// A raw TCP connection to ingest, for what an HTTP client library will not do:
/// trickle bytes, send a body after its answer, pipeline requests.
final class RawConnection {
    let fd: Int32
    /// Whether a read has seen the server close its side.
    private(set) var closedByServer = false
    /// Everything received so far.
    private(set) var received = ""

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
        var keepAlive: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &keepAlive, socklen_t(MemoryLayout<Int32>.size))
    }

    /// Sends bytes; false once the server has closed the connection.
    @discardableResult
    func send(_ text: String) -> Bool {
        Array(text.utf8).withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } > 0
    }

    /// Reads whatever has arrived (waiting at most 50 ms for it) into `received`,
    /// noting whether the server has closed its side.
    func receive() {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count > 0 {
                received += String(decoding: buffer[..<count], as: UTF8.self)
                continue
            }
            if count == 0 || errno == ECONNRESET { closedByServer = true }
            return
        }
    }

    /// Whether the server has closed its side (a read returns end of file).
    var isClosedByServer: Bool {
        receive()
        return closedByServer
    }

    /// How many times `text` occurs in what has been received so far.
    func receivedCount(of text: String) -> Int {
        receive()
        return received.components(separatedBy: text).count - 1
    }

    deinit { close(fd) }
}
