import SluiceUserAgent
import Synchronization

/// Each device's stored JSON text (`VisitorState.jsonText(of:)`), kept across batches:
/// every visitor of a batch sends its device, and a few devices are most of them.
/// Shared by every partition's thread; emptied when it reaches `capacity` devices.
enum DeviceJSONCache {
    /// Devices kept at most (a few hundred kilobytes).
    static let capacity = 4096

    private struct Key: Hashable {
        let device: DeviceInfo
        func hash(into hasher: inout Hasher) {
            hasher.combine(device.type)
            hasher.combine(device.browser)
            hasher.combine(device.browserVersion)
            hasher.combine(device.os)
            hasher.combine(device.osVersion)
        }
    }

    private static let texts = Mutex<[Key: String]>([:])

    /// The device's JSON text.
    static func text(of device: DeviceInfo) -> String {
        let key = Key(device: device)
        if let known = texts.withLock({ $0[key] }) { return known }
        let text = VisitorState.jsonText(of: device)
        texts.withLock { texts in
            if texts.count >= capacity { texts.removeAll(keepingCapacity: true) }
            texts[key] = text
        }
        return text
    }
}
