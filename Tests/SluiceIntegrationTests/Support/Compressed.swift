import Foundation

/// Compressed bodies for the tests, made by Python's zlib (the test target links no zlib).
enum Compressed {
    /// `data` as a gzip (`wbits` 31) or zlib (`wbits` 15, HTTP's `deflate`) stream.
    static func encode(_ data: Data, gzip: Bool = true) throws -> Data {
        try python(
            "import sys,zlib; c=zlib.compressobj(9,zlib.DEFLATED,\(gzip ? 31 : 15)); sys.stdout.buffer.write(c.compress(sys.stdin.buffer.read())+c.flush())",
            input: data)
    }

    /// A gzip stream of `megabytes` MB of zeros: about a thousandth of its inflated size.
    static func bomb(megabytes: Int) throws -> Data {
        try python(
            "import sys,zlib; c=zlib.compressobj(9,zlib.DEFLATED,31); z=bytes(1<<20); "
                + "sys.stdout.buffer.write(b''.join(c.compress(z) for _ in range(\(megabytes)))+c.flush())", input: Data())
    }

    private static func python(_ script: String, input: Data) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        let stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        try process.run()
        try stdin.fileHandleForWriting.write(contentsOf: input)
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return output
    }
}
