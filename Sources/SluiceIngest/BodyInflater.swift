import CZlib
import NIOCore

/// Inflates a `Content-Encoding: gzip` or `deflate` request body as its chunks
/// arrive, and stops as soon as the inflated bytes pass `limit`: zlib is never
/// handed room for more than one byte past it, so a decompression bomb costs at
/// most `limit` bytes of memory and the time to inflate them. The only importer of zlib.
final class BodyInflater {
    /// Why a body could not be inflated.
    enum Failure: Error, Equatable {
        /// The inflated bytes passed the limit.
        case tooLarge
        /// Not a gzip or zlib stream, or one cut short or followed by other bytes; zlib's message.
        case corrupt(String)
    }

    /// Room offered to zlib per call: a typical batch inflates in one or two calls.
    private static let chunkBytes = 16 * 1024

    private let limit: Int
    // zlib keeps a pointer back to its stream and checks it: the stream must not move.
    private let stream: UnsafeMutablePointer<z_stream>
    private var ended = false
    /// The inflated body so far.
    private(set) var output: ByteBuffer

    /// An inflater for a gzip or zlib stream (told apart by its header) of at most `limit` inflated bytes.
    init(limit: Int) throws(Failure) {
        self.limit = limit
        output = ByteBuffer()
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // 15: the largest window; +32: detect a gzip or a zlib header.
        let status = sluice_inflate_init2(stream, 15 + 32)
        guard status == Z_OK else {
            stream.deallocate()
            throw .corrupt("zlib could not start (\(status))")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Inflates the next compressed chunk onto `output`.
    func inflate(_ chunk: ByteBuffer) throws(Failure) {
        guard chunk.readableBytes > 0 else { return }
        guard !ended else { throw .corrupt("bytes after the end of the compressed stream") }
        let failure: Failure? = chunk.withUnsafeReadableBytes { input in
            stream.pointee.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: Bytef.self).baseAddress)
            stream.pointee.avail_in = uInt(input.count)
            defer { stream.pointee.next_in = nil }
            while true {
                let room = min(Self.chunkBytes, limit + 1 - output.readableBytes)
                var status: Int32 = Z_OK
                output.writeWithUnsafeMutableBytes(minimumWritableBytes: room) { buffer in
                    stream.pointee.next_out = buffer.bindMemory(to: Bytef.self).baseAddress
                    stream.pointee.avail_out = uInt(room)
                    status = CZlib.inflate(stream, Z_NO_FLUSH)
                    let written = room - Int(stream.pointee.avail_out)
                    stream.pointee.next_out = nil
                    return written
                }
                if output.readableBytes > limit { return .tooLarge }
                switch status {
                case Z_STREAM_END:
                    ended = true
                    return stream.pointee.avail_in == 0 ? nil : .corrupt("bytes after the end of the compressed stream")
                case Z_OK:
                    // Room used up: more may be waiting; else every input byte was taken.
                    if stream.pointee.avail_in == 0 && stream.pointee.avail_out > 0 { return nil }
                case Z_BUF_ERROR where stream.pointee.avail_in == 0:
                    return nil
                default:
                    return .corrupt(stream.pointee.msg.map { String(cString: $0) } ?? "zlib error \(status)")
                }
            }
        }
        if let failure { throw failure }
    }

    /// The whole inflated body; fails when the stream was cut short.
    func finish() throws(Failure) -> ByteBuffer {
        guard ended else { throw .corrupt("the compressed stream ends early") }
        return output
    }
}
