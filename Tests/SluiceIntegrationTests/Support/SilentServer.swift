import Foundation

/// A TCP port that takes connections (the kernel completes the handshake) and
/// never answers: a stalled ingest, for clients that must not wait for it. The
/// listener lives until its standard input closes (`stop()`, or this process ending).
final class SilentServer {
    let port: Int
    private let process: Process
    private let stdin = Pipe()

    /// Listens on a free loopback port until `stop()`.
    init() throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", "-c",
            "import socket,sys; s=socket.socket(); s.bind(('127.0.0.1',0)); s.listen(1000); print(s.getsockname()[1], flush=True); sys.stdin.read()",
        ]
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardInput = stdin
        try process.run()
        var line = Data()
        while let byte = try stdout.fileHandleForReading.read(upToCount: 1), let first = byte.first, first != UInt8(ascii: "\n") { line.append(first) }
        port = Int(String(decoding: line, as: UTF8.self)) ?? 0
    }

    /// Stops listening.
    func stop() {
        try? stdin.fileHandleForWriting.close()
        process.waitUntilExit()
    }
}
