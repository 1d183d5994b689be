import Foundation
import Testing

/// A Redis server of a test's own (Debian's `redis-server`, no persistence), for
/// tests that change server-wide settings such as `maxmemory`.
final class PrivateRedis: @unchecked Sendable {
    let url: String
    private let process = Process()

    init() async throws {
        let port = try freeTCPPort()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["redis-server", "--bind", "127.0.0.1", "--port", String(port), "--save", "", "--appendonly", "no"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        url = "redis://127.0.0.1:\(port)"
        let up = try await eventually(timeout: .seconds(10)) { canConnect(port: port) }
        try #require(up, "private redis-server did not start on port \(port) (is Debian's redis-server installed? `make test` installs it)")
    }

    /// Stops the server and waits for it to exit. SIGKILL: it keeps nothing, and
    /// started from the test runner it was seen to outlive a SIGTERM.
    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    deinit { stop() }
}
