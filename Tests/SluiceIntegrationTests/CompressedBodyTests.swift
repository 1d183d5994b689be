import Foundation
import SluiceCore
import Testing

/// `Content-Encoding: gzip` and `deflate` batches, and decompression bombs.
@Suite struct CompressedBodyTests {
    static let batch = #"{"batch":[{"type":"event","id":"gz-1","eventType":"t","eventName":"n"},{"type":"pageview","id":"gz-2","url":"https://a.example/"}]}"#

    @Test func gzipAndDeflateBatchesAreStored() async throws {
        let stack = try await TestStack(prefix: "compressed")
        let url = "\(stack.baseURL)/api/analytics/batch"
        let gzip = try await HTTP.post(url, body: try Compressed.encode(Data(Self.batch.utf8)), headers: ["Content-Encoding": "gzip"])
        #expect(gzip.status == 202, "\(gzip.text)")
        let zlib = Self.batch.replacingOccurrences(of: "gz-", with: "zl-")
        let deflate = try await HTTP.post(url, body: try Compressed.encode(Data(zlib.utf8), gzip: false), headers: ["Content-Encoding": "deflate"])
        #expect(deflate.status == 202, "\(deflate.text)")
        let stored = try StoredDocuments(url: stack.mongoURL)
        #expect(
            try await eventually { try stored.count(EventKind.event.collection) == 2 && stored.count(EventKind.pageview.collection) == 2 },
            "worker log:\n\(stack.worker?.log ?? "")")
        #expect(try stored.one(EventKind.pageview.collection, id: "gz-2")["url"] == .string("https://a.example/"))
        try await stack.stop()
    }

    @Test func aBombIsRefusedAtTheLimitQuickly() async throws {
        let stack = try await TestStack(prefix: "compressed-bomb", startWorker: false)
        // 64 MB of zeros in some 64 KB: 128 times the limit.
        let bomb = try Compressed.bomb(megabytes: 64)
        #expect(bomb.count < 524_288, "the bomb itself fits the request limit: \(bomb.count) bytes")
        let started = ContinuousClock.now
        let reply = try await HTTP.post("\(stack.baseURL)/api/analytics/batch", body: bomb, headers: ["Content-Encoding": "gzip"])
        let took = ContinuousClock.now - started
        #expect(reply.status == 413, "\(reply.text)")
        #expect(reply.text.contains("inflated"), "\(reply.text)")
        // The 413 naming the inflated size shows where it stopped (512 KB, milliseconds of work);
        // the bound is a loose guard against a hang, with room for a test process that the rest
        // of the suite stalls for seconds on two busy cores (one CI run took 5.07 s).
        #expect(took < .seconds(15), "took \(took)")
        #expect(try await HTTP.get("\(stack.baseURL)/healthz").status == 200)
        try await stack.stop()
    }

    @Test func badStreamsAndUnknownEncodingsAreRefusedClearly() async throws {
        let stack = try await TestStack(prefix: "compressed-bad", startWorker: false)
        let url = "\(stack.baseURL)/api/analytics/batch"
        let garbage = try await HTTP.post(url, body: Data(Self.batch.utf8), headers: ["Content-Encoding": "gzip"])
        #expect(garbage.status == 400)
        #expect(garbage.json?.objectValue?["error"]?.stringValue == "invalid_encoding", "\(garbage.text)")
        let whole = try Compressed.encode(Data(Self.batch.utf8))
        let cut = try await HTTP.post(url, body: whole.prefix(whole.count - 6), headers: ["Content-Encoding": "gzip"])
        #expect(cut.status == 400, "a stream cut short: \(cut.text)")
        let brotli = try await HTTP.post(url, body: Data(Self.batch.utf8), headers: ["Content-Encoding": "br"])
        #expect(brotli.status == 415)
        #expect(brotli.json?.objectValue?["error"]?.stringValue == "unsupported_encoding", "\(brotli.text)")
        try await stack.stop()
    }
}
