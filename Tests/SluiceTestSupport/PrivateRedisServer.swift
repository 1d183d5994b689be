import Foundation
import SluiceRedis

/// A `redis-server` of a test's own (Debian's, on a free loopback port, in a temporary
/// directory of its own), for what the shared test Redis cannot show: replicas, a
/// cluster, a server that dies. Killed (SIGKILL) and its directory removed on `stop()`
/// or when released.
public final class PrivateRedisServer: @unchecked Sendable {
    /// The loopback port it listens on.
    public let port: Int
    private let process: Process
    private let directory: URL

    /// Starts the server with `arguments` added to a no-persistence configuration and
    /// waits until it answers. A replica's first sync writes its snapshot into the
    /// directory, never the checkout.
    public init(arguments: [String] = []) async throws {
        port = try Self.freePort()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-redis-\(port)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.currentDirectoryURL = directory
        process.arguments =
            [
                "redis-server", "--bind", "127.0.0.1", "--port", String(port), "--save", "", "--appendonly", "no", "--dir", directory.path, "--logfile",
                "redis.log",
            ] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let address = "redis://127.0.0.1:\(port)"
        let up = await Self.eventually(within: .seconds(10)) {
            do {
                return try RedisConnection(endpoint: RedisEndpoint(url: address)).send(RedisCommand("PING")).text == "PONG"
            } catch RedisError.setupFailed {
                return true  // a cluster node, refused as a single server's address: it answers
            } catch {
                return false
            }
        }
        guard up else {
            let log = (try? String(contentsOf: directory.appendingPathComponent("redis.log"), encoding: .utf8)) ?? "(no log)"
            stop()
            throw Failure(
                description:
                    "a private redis-server did not start on port \(port) (is Debian's redis-server installed? `make test` installs it); its log ends:\n\(log.suffix(1500))"
            )
        }
    }

    /// `redis://127.0.0.1:<port>/0`.
    public var url: String { "redis://127.0.0.1:\(port)/0" }

    /// Kills the server (SIGKILL: it keeps nothing) and waits for it to exit.
    public func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }

    deinit { stop() }

    /// Whether `condition` holds within `timeout`, polled every 50 ms.
    public static func eventually(within timeout: Duration = .seconds(15), _ condition: () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return condition()
    }

    /// Why a server could not be started.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// A loopback port nothing listens on right now.
    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw Failure(description: "cannot bind a probe socket on 127.0.0.1 to find a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
