import Foundation
import Testing

/// A SecantusDB server of a test's own, for tests that pause or stop it.
final class PrivateMongo: @unchecked Sendable {
    let url: String
    private let process = Process()

    init() async throws {
        let binary = try #require(
            ProcessInfo.processInfo.environment["SLUICE_TEST_SECANTUSD"],
            "SLUICE_TEST_SECANTUSD is not set: run the tests with `make test`")
        let port = try freeTCPPort()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["--host", "127.0.0.1", "--port", String(port), "--storage-path", ":memory:", "--log-level", "WARNING"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        url = "mongodb://127.0.0.1:\(port)/crash?serverSelectionTimeoutMS=2000"
        let up = try await eventually(timeout: .seconds(30)) { canConnect(port: port) }
        #expect(up, "private SecantusDB did not start on port \(port)")
    }

    /// Freezes the server (SIGSTOP): connections stay open, nothing is answered.
    func pause() { kill(process.processIdentifier, SIGSTOP) }
    /// Thaws it (SIGCONT).
    func resume() { kill(process.processIdentifier, SIGCONT) }

    /// Stops the server: SIGTERM, then SIGKILL if it has not exited within 5 s
    /// (a frozen or busy SecantusDB can hang in its shutdown, and must not outlive the tests).
    /// The wait runs on a thread of its own, not on a cooperative thread other suites need.
    func stop() async { await onOwnThread { self.stopAndWait() } }

    /// `stop`'s work, on the caller's thread.
    private func stopAndWait() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGCONT)
        process.terminate()
        let deadline = ContinuousClock.now + .seconds(5)
        while process.isRunning && ContinuousClock.now < deadline { usleep(50_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    deinit { stopAndWait() }
}

/// A TCP port nothing listens on right now.
func freeTCPPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
    }
    try #require(bound, "cannot bind a probe socket")
    return Int(UInt16(bigEndian: address.sin_port))
}

/// Whether something accepts TCP connections on the port.
func canConnect(port: Int) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = UInt16(port).bigEndian
    return withUnsafePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
    }
}
