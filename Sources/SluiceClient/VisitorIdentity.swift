import Foundation
import Hummingbird
import NIOCore

/// The visitor cookie and address handling the middleware shares with ingest's rules.
enum VisitorIdentity {
    /// A year, as ingest sets the cookie.
    static let maxAgeSeconds = 365 * 24 * 3600

    /// A fresh visitor id.
    static func newVisitorId() -> String { UUID().uuidString.lowercased() }

    /// The cookie's visitor id when it is one ingest accepts (letters, digits, `-`, `_`, at most 100).
    static func visitorId(in request: Request, cookieName: String) -> String? {
        guard let value = request.cookies[cookieName]?.value, !value.isEmpty, value.utf8.count <= 100,
            value.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2D || $0 == 0x5F })
        else { return nil }
        return value
    }

    /// The `Set-Cookie` value for a new visitor: HttpOnly, SameSite=Lax, Secure over HTTPS.
    static func cookie(_ visitorId: String, request: Request, configuration: SluiceClientConfiguration) -> String {
        var attributes = ["\(configuration.cookieName)=\(visitorId)", "Max-Age=\(maxAgeSeconds)", "Path=/", "HttpOnly", "SameSite=Lax"]
        if let domain = configuration.cookieDomain { attributes.append("Domain=\(domain)") }
        if request.head.scheme == "https" { attributes.append("Secure") }
        return attributes.joined(separator: "; ")
    }

    /// IPv4 cut to /24, IPv6 to /48 (as ingest's anonymize mode); nil when not an address.
    static func anonymized(_ address: String) -> String? {
        if let v4 = try? SocketAddress(ipAddress: address, port: 0), case .v4 = v4 {
            return address.split(separator: ".").prefix(3).joined(separator: ".") + ".0"
        }
        guard let v6 = try? SocketAddress(ipAddress: address, port: 0), case .v6(let inner) = v6 else { return nil }
        let bytes = withUnsafeBytes(of: inner.address.sin6_addr) { Array($0) }
        if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF {
            return "\(bytes[12]).\(bytes[13]).\(bytes[14]).0"
        }
        let groups = (0..<3).map { String(UInt16(bytes[2 * $0]) << 8 | UInt16(bytes[2 * $0 + 1]), radix: 16) }
        return groups.joined(separator: ":") + "::"
    }
}
