import Foundation
import Testing

/// `sluice-ingest` copied alone into an empty directory still serves `/tracker.js` and
/// `/openapi.json`: both are built into the binary, so deploying it is copying one file.
@Suite struct SelfContainedIngestTests {
    /// `Sources/SluiceIngest/<path>` of this checkout.
    private func repositoryFile(_ path: String) throws -> Data {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let url = root.appendingPathComponent("Sources/SluiceIngest").appendingPathComponent(path)
        return try #require(FileManager.default.contents(atPath: url.path), "cannot read \(url.path)")
    }

    @Test func aLoneCopyServesTheTrackerAndTheAPIDocument() async throws {
        let environment = try TestEnvironment.require()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lone-ingest-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(at: directory) }
        let copy = directory.appendingPathComponent("sluice-ingest")
        try FileManager.default.copyItem(at: URL(fileURLWithPath: environment.binDirectory).appendingPathComponent("sluice-ingest"), to: copy)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["sluice-ingest"])

        let ingest = try SluiceProcess(
            executable: copy, settings: ["SLUICE_REDIS_URL": try environment.isolatedRedisURL(), "SLUICE_INGEST_PORT": "0"])
        var port: Substring = ""
        #expect(
            try await eventually(timeout: .seconds(20)) {
                port = ingest.log.range(of: "sluice-ingest listening on http://127.0.0.1:").map { ingest.log[$0.upperBound...].prefix { $0.isNumber } } ?? ""
                return !port.isEmpty || !ingest.isRunning
            })
        try #require(!port.isEmpty, "the copy did not start listening; log:\n\(ingest.log)")

        let tracker = try await HTTP.get("http://127.0.0.1:\(port)/tracker.js")
        #expect(tracker.status == 200)
        #expect(tracker.body == (try repositoryFile("Tracker/tracker.js")))
        #expect(tracker.headers["content-type"] == "text/javascript; charset=utf-8")
        #expect(tracker.headers["cache-control"] == "public, max-age=3600")
        #expect(tracker.headers["etag"]?.hasPrefix("\"") == true)

        let document = try await HTTP.get("http://127.0.0.1:\(port)/openapi.json")
        #expect(document.status == 200)
        #expect(document.body == (try repositoryFile("OpenAPI/openapi.json")))
        #expect(document.headers["content-type"] == "application/json")
        #expect(!ingest.log.contains("not found"), "log:\n\(ingest.log)")
        #expect(try await ingest.stop() == 0)
    }
}
