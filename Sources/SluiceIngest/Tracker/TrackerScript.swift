import Foundation
import NIOCore

/// The browser tracker (`tracker.js`, a resource of this module) and its entity tag.
struct TrackerScript: Sendable {
    /// The script as served.
    let body: ByteBuffer
    /// A strong validator derived from the bytes, so it changes exactly when the script does.
    let etag: String

    init(bytes: [UInt8]) {
        body = ByteBuffer(bytes: bytes)
        // FNV-1a (64 bit): no cryptographic strength needed to tell two versions apart.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        etag = "\"" + String(repeating: "0", count: 16 - hex.count) + hex + "-\(bytes.count)\""
    }

    /// Where SwiftPM puts the module's resources: a bundle beside the executable
    /// (`.resources` on Linux, `.bundle` on Darwin), which a deployment copies along.
    static func candidateBundles() -> [URL] {
        let bases = [Bundle.main.bundleURL, Bundle.main.resourceURL].compactMap { $0 }
        return bases.flatMap { base in
            ["sluice_SluiceIngest.resources", "sluice_SluiceIngest.bundle"].map { base.appendingPathComponent($0) }
        }
    }

    /// Loads the script from the resource bundle; nil when no candidate bundle holds it.
    ///
    /// Not `Bundle.module`: its accessor calls `fatalError` when the bundle is
    /// missing, and ingest must keep accepting events without its tracker.
    static func load() -> TrackerScript? {
        for candidate in candidateBundles() {
            guard let url = Bundle(url: candidate)?.url(forResource: "tracker", withExtension: "js"),
                let data = FileManager.default.contents(atPath: url.path)
            else { continue }
            return TrackerScript(bytes: Array(data))
        }
        return nil
    }
}
