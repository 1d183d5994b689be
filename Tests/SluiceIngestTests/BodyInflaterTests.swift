import Foundation
import NIOCore
import Testing

@testable import SluiceIngest

/// The inflater stops at its limit, whatever the stream would inflate to.
@Suite struct BodyInflaterTests {
    /// A gzip stream of `count` zero bytes, from Python's zlib.
    private func gzippedZeros(_ count: Int) throws -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", "-c", "import sys,zlib; c=zlib.compressobj(9,zlib.DEFLATED,31); sys.stdout.buffer.write(c.compress(bytes(\(count)))+c.flush())",
        ]
        let stdout = Pipe()
        process.standardOutput = stdout
        try process.run()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Array(output)
    }

    @Test func aBombStopsOneBytePastTheLimit() throws {
        let bomb = try gzippedZeros(16 << 20)
        let inflater = try BodyInflater(limit: 100_000)
        var failure: BodyInflater.Failure?
        // Fed in small chunks, as a socket delivers them.
        for start in stride(from: 0, to: bomb.count, by: 1000) where failure == nil {
            do {
                try inflater.inflate(ByteBuffer(bytes: bomb[start..<min(start + 1000, bomb.count)]))
            } catch {
                failure = error
            }
        }
        #expect(failure == .tooLarge)
        #expect(inflater.output.readableBytes == 100_001, "never inflated past the limit")
    }

    @Test func aStreamAtTheLimitInflatesWhole() throws {
        let inflater = try BodyInflater(limit: 100_000)
        try inflater.inflate(ByteBuffer(bytes: try gzippedZeros(100_000)))
        #expect(try inflater.finish().readableBytes == 100_000)
    }

    @Test func corruptAndTruncatedStreamsFail() throws {
        #expect(throws: BodyInflater.Failure.self) { try BodyInflater(limit: 1000).inflate(ByteBuffer(string: "not gzip at all")) }
        let whole = try gzippedZeros(5000)
        let truncated = try BodyInflater(limit: 10_000)
        try truncated.inflate(ByteBuffer(bytes: whole.prefix(whole.count - 4)))
        #expect(throws: BodyInflater.Failure.self) { try truncated.finish() }
        let trailing = try BodyInflater(limit: 10_000)
        #expect(throws: BodyInflater.Failure.self) { try trailing.inflate(ByteBuffer(bytes: whole + [1, 2, 3])) }
    }
}
