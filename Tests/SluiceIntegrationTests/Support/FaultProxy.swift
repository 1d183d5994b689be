import Foundation
import Synchronization
import Testing

/// A TCP proxy on a free loopback port in front of a server (SecantusDB here), that
/// injects the faults a MongoDB primary's step-down or crash causes: replies that
/// never come back (the server applied a write, the client never learns it) and
/// connections cut in the middle of an exchange. One thread accepts; two threads
/// per connection copy bytes, one per direction.
final class FaultProxy: @unchecked Sendable {
    /// What happens to the bytes between client and server.
    enum Mode: Sendable {
        /// Both directions are copied.
        case pass
        /// Requests reach the server; its replies are read and dropped.
        case swallowReplies
    }

    /// The port clients connect to.
    let port: Int
    private let targetPort: Int
    private let listener: Int32
    private let mode = Mutex<Mode>(.pass)
    /// Sockets of the open connections (client and server side), for `cutAll()`.
    private let open = Mutex<Set<Int32>>([])
    private let stopped = Atomic<Bool>(false)
    /// Reply bytes dropped while swallowing.
    let swallowedBytes = Atomic<Int>(0)

    /// Listens on a free port and forwards to `127.0.0.1:targetPort`.
    init(targetPort: Int) throws {
        self.targetPort = targetPort
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var reuse: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = Self.loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        try #require(bound && listen(fd, 64) == 0, "the fault proxy cannot listen: errno \(errno)")
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        let accepting = Thread { [self] in acceptLoop() }
        accepting.name = "fault-proxy-accept"
        accepting.start()
    }

    /// Changes what happens to the bytes of every connection, open or new.
    func set(_ mode: Mode) { self.mode.withLock { $0 = mode } }

    /// Cuts every open connection at once (shutdown of both sockets), mid-exchange or not.
    func cutAll() {
        for fd in open.withLock({ $0 }) { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    /// Stops accepting and cuts every connection.
    func stop() {
        guard !stopped.exchange(true, ordering: .relaxed) else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        cutAll()
    }

    deinit { stop() }

    private func acceptLoop() {
        while !stopped.load(ordering: .relaxed) {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { return }
            let server = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = Self.loopback(port: targetPort)
            let connected = withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(server, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
            }
            guard connected else {
                close(client)
                close(server)
                continue
            }
            open.withLock { $0.formUnion([client, server]) }
            let done = Atomic<Int>(0)
            for (from, to, isReply) in [(client, server, false), (server, client, true)] {
                let pump = Thread { [self] in
                    copy(from: from, to: to, isReply: isReply)
                    // Either direction ending ends the connection; the second to finish closes both.
                    shutdown(from, Int32(SHUT_RDWR))
                    shutdown(to, Int32(SHUT_RDWR))
                    if done.add(1, ordering: .relaxed).newValue == 2 {
                        open.withLock { $0.subtract([client, server]) }
                        close(client)
                        close(server)
                    }
                }
                pump.name = "fault-proxy-pump"
                pump.start()
            }
        }
    }

    /// Copies until either side closes; replies are dropped while swallowing.
    private func copy(from: Int32, to: Int32, isReply: Bool) {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(from, $0.baseAddress, $0.count) }
            guard count > 0 else { return }
            if isReply, mode.withLock({ $0 }) == .swallowReplies {
                swallowedBytes.add(count, ordering: .relaxed)
                continue
            }
            var sent = 0
            while sent < count {
                let written = buffer.withUnsafeBytes { send(to, $0.baseAddress! + sent, count - sent, Int32(MSG_NOSIGNAL)) }
                guard written > 0 else { return }
                sent += written
            }
        }
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return address
    }
}
