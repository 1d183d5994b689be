import HTTPTypes
import Hummingbird
import SluiceCore

extension TrackingController {
    /// The request body, inflated when sent with `Content-Encoding: gzip` or
    /// `deflate` (as PostHog's and Segment's server libraries send batches).
    /// `SLUICE_MAX_REQUEST_BYTES` bounds the bytes received and, for a compressed
    /// body, the inflated bytes too: inflating stops at the limit with a 413.
    func readBody(_ request: Request) async throws -> ByteBuffer {
        let limit = configuration.limits.maxRequestBytes
        let tooLarge = IngestError(
            status: .contentTooLarge, code: "too_large",
            details: [ValidationProblem(field: "(body)", problem: "request body is over the limit of \(limit) bytes")])
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > limit { throw tooLarge }
        switch request.headers[.contentEncoding]?.lowercased().trimmingCharacters(in: .whitespaces) {
        case nil, "", "identity":
            do {
                return try await request.body.collect(upTo: limit)
            } catch let error as HTTPError where error.status == .contentTooLarge {
                throw tooLarge
            }
        case "gzip", "x-gzip", "deflate":
            return try await inflate(request.body, limit: limit, tooLarge: tooLarge)
        case let other?:
            throw IngestError(
                status: .unsupportedMediaType, code: "unsupported_encoding",
                details: [ValidationProblem(field: "content-encoding", problem: "\(other) is not supported; send gzip, deflate or an uncompressed body")])
        }
    }

    /// Inflates the body chunk by chunk, refusing it as soon as either the bytes
    /// received or the bytes inflated pass `limit`.
    private func inflate(_ body: RequestBody, limit: Int, tooLarge: IngestError) async throws -> ByteBuffer {
        let inflatedTooLarge = IngestError(
            status: .contentTooLarge, code: "too_large",
            details: [ValidationProblem(field: "(body)", problem: "inflated request body is over the limit of \(limit) bytes")])
        do {
            let inflater = try BodyInflater(limit: limit)
            var received = 0
            for try await chunk in body {
                received += chunk.readableBytes
                if received > limit { throw tooLarge }
                try inflater.inflate(chunk)
            }
            return try inflater.finish()
        } catch let failure as BodyInflater.Failure {
            switch failure {
            case .tooLarge: throw inflatedTooLarge
            case .corrupt(let message):
                throw IngestError(
                    status: .badRequest, code: "invalid_encoding",
                    details: [ValidationProblem(field: "content-encoding", problem: "the body is not a valid gzip or zlib stream: \(message)")])
            }
        }
    }
}
