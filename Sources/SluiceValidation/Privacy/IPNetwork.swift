/// An address range in CIDR form (`10.0.0.0/8`, `2001:db8::/32`, or a single address).
public struct IPNetwork: Sendable, Equatable {
    let address: [UInt8]
    let prefixLength: Int

    /// Parses `address[/prefix]`; nil when it is not one.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1)
        guard let first = parts.first, let address = IPNetwork.bytes(of: String(first)) else { return nil }
        let length = parts.count == 2 ? Int(parts[1]) : address.count * 8
        guard let length, (0...address.count * 8).contains(length) else { return nil }
        self.address = address
        self.prefixLength = length
    }

    /// Whether `ip` (textual) lies in this range; IPv4-mapped IPv6 addresses count as IPv4.
    public func contains(_ ip: String) -> Bool {
        guard let candidate = IPNetwork.bytes(of: ip), candidate.count == address.count else { return false }
        var bits = prefixLength
        for (a, b) in zip(address, candidate) {
            guard bits > 0 else { return true }
            let mask: UInt8 = bits >= 8 ? 0xFF : ~(0xFF >> UInt8(bits))
            if a & mask != b & mask { return false }
            bits -= 8
        }
        return true
    }

    /// The 4 or 16 bytes of an address; IPv4-mapped IPv6 (`::ffff:1.2.3.4`) gives the 4 IPv4 bytes.
    public static func bytes(of text: String) -> [UInt8]? {
        if !text.utf8.contains(UInt8(ascii: ":")) { return dottedQuad(text) }
        var text = Substring(text)
        if let zone = text.firstIndex(of: "%") { text = text[..<zone] }  // fe80::1%eth0
        // A dotted IPv4 tail (::ffff:1.2.3.4) becomes its two hex groups.
        if let lastColon = text.lastIndex(of: ":"), text[text.index(after: lastColon)...].contains(".") {
            guard let v4 = bytes(of: String(text[text.index(after: lastColon)...])), v4.count == 4 else { return nil }
            let high = String(UInt16(v4[0]) << 8 | UInt16(v4[1]), radix: 16)
            let low = String(UInt16(v4[2]) << 8 | UInt16(v4[3]), radix: 16)
            text = text[...lastColon] + "\(high):\(low)"
        }
        let halves = text.split(separator: "::", maxSplits: 1, omittingEmptySubsequences: false)
        guard halves.count <= 2 else { return nil }
        func groups(_ part: Substring) -> [UInt16]? {
            if part.isEmpty { return [] }
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            let values = pieces.compactMap { $0.count <= 4 && !$0.isEmpty ? UInt16($0, radix: 16) : nil }
            return values.count == pieces.count ? values : nil
        }
        guard let head = groups(halves[0]) else { return nil }
        let tail = halves.count == 2 ? groups(halves[1]) : []
        guard let tail else { return nil }
        let missing = 8 - head.count - tail.count
        guard halves.count == 2 ? missing >= 1 : missing == 0 else { return nil }
        let all = head + Array(repeating: 0, count: missing) + tail
        var result = all.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        // ::ffff:a.b.c.d is IPv4 for matching purposes.
        if result.count == 16, result[0..<10].allSatisfy({ $0 == 0 }), result[10] == 0xFF, result[11] == 0xFF { result = Array(result[12...]) }
        return result
    }

    /// A dotted-quad IPv4 address (`203.0.113.7`, up to three digits a part, each
    /// at most 255), read from its UTF-8 bytes: the common case on every request,
    /// without splitting strings.
    private static func dottedQuad(_ text: String) -> [UInt8]? {
        var octets: [UInt8] = []
        octets.reserveCapacity(4)
        var value = 0
        var digits = 0
        for byte in text.utf8 {
            if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
                digits += 1
                guard digits <= 3, value <= 255 else { return nil }
            } else if byte == UInt8(ascii: "."), digits > 0, octets.count < 3 {
                octets.append(UInt8(value))
                value = 0
                digits = 0
            } else {
                return nil
            }
        }
        guard digits > 0, octets.count == 3 else { return nil }
        octets.append(UInt8(value))
        return octets
    }
}
