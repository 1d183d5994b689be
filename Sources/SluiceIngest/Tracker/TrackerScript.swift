import NIOCore
import SluiceCore

/// The browser tracker (`tracker.js`, embedded in this module at build time) and its entity tag.
struct TrackerScript: Sendable {
    /// The script as served.
    let body: ByteBuffer
    /// A strong validator derived from the bytes, so it changes exactly when the script does.
    let etag: String

    init(bytes: [UInt8]) {
        body = ByteBuffer(bytes: bytes)
        // No cryptographic strength needed to tell two versions apart.
        let hex = String(FNV1a.hash(bytes), radix: 16)
        etag = "\"" + String(repeating: "0", count: 16 - hex.count) + hex + "-\(bytes.count)\""
    }

    /// The script built into this executable (`Tracker/tracker.js`).
    static let embedded = TrackerScript(bytes: EmbeddedFile.trackerJs)
}
