import Foundation

/// Files shipped in this module's resource bundle (`tracker.js`, `openapi.json`).
///
/// SwiftPM puts them in a bundle beside the executable (`.resources` on Linux,
/// `.bundle` on Darwin), which a deployment copies along. Not `Bundle.module`:
/// its accessor calls `fatalError` when the bundle is missing, and ingest must
/// keep accepting events without these files.
enum BundledResource {
    /// Where the bundle may be, in the order searched.
    static func candidateBundles() -> [URL] {
        let bases = [Bundle.main.bundleURL, Bundle.main.resourceURL].compactMap { $0 }
        return bases.flatMap { base in
            ["sluice_SluiceIngest.resources", "sluice_SluiceIngest.bundle"].map { base.appendingPathComponent($0) }
        }
    }

    /// The bytes of `name.ext` from the first candidate bundle holding it; nil when none does.
    static func contents(of name: String, withExtension ext: String) -> [UInt8]? {
        for candidate in candidateBundles() {
            guard let url = Bundle(url: candidate)?.url(forResource: name, withExtension: ext),
                let data = FileManager.default.contents(atPath: url.path)
            else { continue }
            return Array(data)
        }
        return nil
    }
}
