import Foundation
import Testing

/// Write-key rotation without a restart: ingest reads its sites file again on SIGHUP,
/// and keeps the sites in force when the new file does not parse.
@Suite struct SitesReloadTests {
    static let event = #"{"eventType":"t","eventName":"n"}"#
    static let oldKey = "wk_old_0123456789abcdef"
    static let newKey = "wk_new_0123456789abcdef"

    @Test func sighupReloadsTheSitesFile() async throws {
        let sites = FileManager.default.temporaryDirectory.appendingPathComponent("sites-\(UUID().uuidString).json")
        func write(_ text: String) throws { try Data(text.utf8).write(to: sites) }
        try write(#"{"sites":[{"id":"shop","writeKeys":["\#(Self.oldKey)"],"origins":["https://shop.example"]}]}"#)
        defer { try? FileManager.default.removeItem(at: sites) }
        let stack = try await TestStack(prefix: "reload", startWorker: false, ingestSettings: ["SLUICE_SITES": sites.path])
        let url = "\(stack.baseURL)/api/analytics/track/event"
        func status(key: String, origin: String? = nil) async throws -> Int {
            var headers = ["X-Sluice-Key": key]
            if let origin { headers["Origin"] = origin }
            return try await HTTP.post(url, json: Self.event, headers: headers).status
        }
        #expect(try await status(key: Self.oldKey) == 202)
        #expect(try await status(key: Self.newKey) == 401)
        #expect(try await status(key: Self.oldKey, origin: "https://new.example") == 403)

        // Rotation: the new key and origin in, the old key out.
        try write(#"{"sites":[{"id":"shop","writeKeys":["\#(Self.newKey)"],"origins":["https://shop.example","https://new.example"]}]}"#)
        kill(stack.ingest.pid, SIGHUP)
        #expect(try await eventually { try await status(key: Self.newKey) == 202 }, "new key refused after SIGHUP; log:\n\(stack.ingest.log)")
        #expect(try await status(key: Self.oldKey) == 401)
        let fromNewOrigin = try await HTTP.post(url, json: Self.event, headers: ["X-Sluice-Key": Self.newKey, "Origin": "https://new.example"])
        #expect(fromNewOrigin.status == 202 && fromNewOrigin.headers["access-control-allow-origin"] == "https://new.example")
        #expect(stack.ingest.log.contains("sites file reloaded (SIGHUP)"))

        // A broken file is refused; the sites in force stay and the process lives on.
        try write(#"{"sites": [ {"id": "shop", "#)
        kill(stack.ingest.pid, SIGHUP)
        #expect(try await eventually { stack.ingest.log.contains("sites file not reloaded") }, "log:\n\(stack.ingest.log)")
        #expect(stack.ingest.isRunning)
        #expect(try await status(key: Self.newKey) == 202)
        try await stack.stop()
    }
}
