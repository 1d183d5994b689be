/// Truncates client addresses before they are queued: IPv4 loses its last octet,
/// IPv6 its last 80 bits (the same cut Google Analytics and Matomo use).
public enum IPAnonymizer {
    /// The anonymised address, or nil if `address` is not an IP address.
    /// IPv4-mapped IPv6 addresses (`::ffff:a.b.c.d`) are anonymised as IPv4.
    public static func anonymize(_ address: String) -> String? {
        guard let bytes = IPNetwork.bytes(of: address) else { return nil }
        if bytes.count == 4 { return "\(bytes[0]).\(bytes[1]).\(bytes[2]).0" }
        let groups = (0..<3).map { String(UInt16(bytes[2 * $0]) << 8 | UInt16(bytes[2 * $0 + 1]), radix: 16) }
        return groups.joined(separator: ":") + "::"
    }

    /// The address written from its bytes (dotted quad, or eight IPv6 groups), so
    /// whatever text it came in (a `%zone`, leading zeros) is not what is stored;
    /// nil if `address` is not an IP address.
    public static func canonical(_ address: String) -> String? {
        guard let bytes = IPNetwork.bytes(of: address) else { return nil }
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
        return (0..<8).map { String(UInt16(bytes[2 * $0]) << 8 | UInt16(bytes[2 * $0 + 1]), radix: 16) }.joined(separator: ":")
    }
}
