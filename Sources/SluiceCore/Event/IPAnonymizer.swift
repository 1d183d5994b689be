/// Truncates client addresses before they are queued: IPv4 loses its last octet,
/// IPv6 its last 80 bits (the same cut Google Analytics and Matomo use).
public enum IPAnonymizer {
    /// The anonymised address, or nil if `address` is not an IP address.
    public static func anonymize(_ address: String) -> String? {
        if address.contains(":") { return anonymizeIPv6(address) }
        let octets = address.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4, octets.allSatisfy({ UInt8($0) != nil }) else { return nil }
        return "\(octets[0]).\(octets[1]).\(octets[2]).0"
    }

    private static func anonymizeIPv6(_ address: String) -> String? {
        // IPv4-mapped addresses (::ffff:a.b.c.d) are anonymised as IPv4.
        if let lastColon = address.lastIndex(of: ":"), address[address.index(after: lastColon)...].contains(".") {
            guard address.lowercased().hasPrefix("::ffff:") else { return nil }
            return anonymize(String(address[address.index(after: lastColon)...]))
        }
        let halves = address.split(separator: "::", omittingEmptySubsequences: false).map(String.init)
        guard halves.count <= 2 else { return nil }
        func groups(_ text: String) -> [UInt16]? {
            guard !text.isEmpty else { return [] }
            let parts = text.split(separator: ":", omittingEmptySubsequences: false)
            let values = parts.compactMap { $0.count <= 4 ? UInt16($0, radix: 16) : nil }
            return values.count == parts.count ? values : nil
        }
        guard let head = groups(halves[0]) else { return nil }
        let tail = halves.count == 2 ? groups(halves[1]) : []
        guard let tail else { return nil }
        let missing = 8 - head.count - tail.count
        guard halves.count == 2 ? missing >= 1 : missing == 0 else { return nil }
        let full = head + Array(repeating: 0, count: missing) + tail
        return full.prefix(3).map { String($0, radix: 16) }.joined(separator: ":") + "::"
    }
}
