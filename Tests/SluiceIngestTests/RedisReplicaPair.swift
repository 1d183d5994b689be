import Foundation
import SluiceRedis
import Testing

/// A private Redis master with one replica (`--replicaof`), both Debian's
/// `redis-server` on free loopback ports, for the tests of `SLUICE_REPLICA_ACKS`:
/// `WAIT` needs a real replica, which the shared test Redis does not have.
final class RedisReplicaPair: @unchecked Sendable {
    /// The master's URL (database 0), for ingest.
    let masterURL: String
    /// The replica's URL, to read what reached it.
    let replicaURL: String
    private let master: Process
    private let replica: Process

    /// Starts both servers and waits until the replica's link to the master is up.
    init() async throws {
        let masterPort = try Self.freePort()
        let replicaPort = try Self.freePort()
        master = try Self.start(port: masterPort)
        replica = try Self.start(port: replicaPort, extra: ["--replicaof", "127.0.0.1", String(masterPort)])
        masterURL = "redis://127.0.0.1:\(masterPort)/0"
        replicaURL = "redis://127.0.0.1:\(replicaPort)/0"
        let linked = await Self.eventually { (try? self.replicationInfo(of: self.replicaURL))?.contains("master_link_status:up") == true }
        try #require(linked, "the replica on port \(replicaPort) never linked to its master on \(masterPort)")
    }

    /// Stops the replica (SIGKILL): the master then waits for an acknowledgement that never comes.
    func stopReplica() async throws {
        Self.stop(replica)
        let gone = await Self.eventually { (try? self.replicationInfo(of: self.masterURL))?.contains("connected_slaves:0") == true }
        try #require(gone, "the master still lists its replica after it was killed")
    }

    /// `INFO replication` of the server at `url`.
    func replicationInfo(of url: String) throws -> String {
        try RedisConnection(endpoint: RedisEndpoint(url: url)).run(RedisCommand("INFO", "replication")).text ?? ""
    }

    deinit {
        Self.stop(replica)
        Self.stop(master)
    }

    /// Each server in a directory of its own: a replica's first sync writes the master's
    /// snapshot to `dump.rdb` in its directory, which must not be the checkout.
    private static func start(port: Int, extra: [String] = []) throws -> Process {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-redis-\(port)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.currentDirectoryURL = directory
        process.arguments = ["redis-server", "--bind", "127.0.0.1", "--port", String(port), "--save", "", "--appendonly", "no", "--dir", directory.path] + extra
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// SIGKILL and wait: the server keeps nothing, and must not outlive the test.
    private static func stop(_ process: Process) {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        if let directory = process.currentDirectoryURL { try? FileManager.default.removeItem(at: directory) }
    }

    private static func eventually(_ condition: () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return condition()
    }

    /// A loopback port nothing listens on right now.
    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        try #require(bound, "cannot bind a probe socket")
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
