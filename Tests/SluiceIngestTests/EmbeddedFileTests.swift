import Foundation
import Testing

@testable import SluiceIngest

/// The files built into `sluice-ingest` are byte for byte the ones in the repository,
/// so an edit to either file reaches the routes with the next build.
@Suite struct EmbeddedFileTests {
    /// `Sources/SluiceIngest/<path>`, read from the checkout this test was built from.
    private func repositoryFile(_ path: String) throws -> [UInt8] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let url = root.appendingPathComponent("Sources/SluiceIngest").appendingPathComponent(path)
        return Array(try #require(FileManager.default.contents(atPath: url.path), "cannot read \(url.path)"))
    }

    @Test func trackerIsTheRepositoryFile() throws {
        let file = try repositoryFile("Tracker/tracker.js")
        #expect(file.count > 1000)
        #expect(EmbeddedFile.trackerJs == file)
        #expect(TrackerScript.embedded.body.readableBytesView.elementsEqual(file))
    }

    @Test func openAPIDocumentIsTheRepositoryFile() throws {
        let file = try repositoryFile("OpenAPI/openapi.json")
        #expect(file.count > 1000)
        #expect(EmbeddedFile.openapiJson == file)
        #expect(OpenAPIController().document.readableBytesView.elementsEqual(file))
    }
}
