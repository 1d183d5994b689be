/// Redis Cluster's key → slot function: CRC16 (XMODEM) of the key, or of its hash tag
/// (the text between the first `{` and the next `}`, when not empty), modulo 16384.
public enum HashSlot {
    /// Slots in a cluster.
    public static let count = 16_384

    /// The slot of `key`.
    public static func of(_ key: String) -> Int {
        of(keyBytes: Array(key.utf8)[...])
    }

    /// The slot of raw key bytes (after the hash tag is taken).
    public static func of(bytes: ArraySlice<UInt8>) -> Int {
        Int(crc16(bytes) % UInt16(count))
    }

    /// The slot of a key as it appears in a command's argument (hash tag rule applied).
    public static func of(keyBytes bytes: ArraySlice<UInt8>) -> Int {
        of(bytes: tag(in: bytes).map { bytes[$0] } ?? bytes)
    }

    /// Where the hash tag of `bytes` is (between the first `{` and the next `}`, not
    /// empty), nil when the whole key is hashed.
    public static func tag(in bytes: ArraySlice<UInt8>) -> Range<Int>? {
        guard let open = bytes.firstIndex(of: UInt8(ascii: "{")),
            let close = bytes[(open + 1)...].firstIndex(of: UInt8(ascii: "}")), close > open + 1
        else { return nil }
        return (open + 1)..<close
    }

    /// CRC-16/XMODEM (polynomial 0x1021, initial 0), as the cluster specification defines it.
    public static func crc16(_ bytes: ArraySlice<UInt8>) -> UInt16 {
        var crc: UInt16 = 0
        for byte in bytes {
            crc ^= UInt16(byte) << 8
            for _ in 0..<8 {
                crc = crc & 0x8000 != 0 ? (crc << 1) ^ 0x1021 : crc << 1
            }
        }
        return crc
    }
}
