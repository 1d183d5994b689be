import HTTPTypes
import Hummingbird
import SluiceValidation

/// Who the client is behind any trusted proxies, and whether it came over HTTPS.
///
/// One forwarding header is believed, the configured one (`X-Forwarded-For`
/// with `X-Forwarded-Proto`, or `Forwarded`), and only when the socket peer is
/// a trusted proxy; the other header is ignored, so a client cannot slip its
/// own `Forwarded` past a proxy that only appends `X-Forwarded-For`. The client
/// is then the right-most address that is not itself a trusted proxy (earlier
/// entries can be forged by the client).
struct ClientAddress: Equatable {
    /// The client's address, as text; nil when unknown.
    let ip: String?
    /// Whether the original request used HTTPS.
    let isHTTPS: Bool

    init(peer: String?, headers: HTTPFields, trustedProxies: [IPNetwork], header: PrivacyConfiguration.ProxyHeader) {
        func trusted(_ address: String) -> Bool { trustedProxies.contains { $0.contains(address) } }
        guard let peer, trusted(peer) else {
            ip = peer
            isHTTPS = false
            return
        }
        var chain: [String] = []
        var proto: String?
        switch header {
        case .forwarded:
            // Every Forwarded field line, in order: proxies may append a line rather than extend one.
            for element in headers[values: .forwarded].joined(separator: ",").split(separator: ",") {
                for pair in element.split(separator: ";") {
                    let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimming([" ", "\""]) }
                    guard parts.count == 2 else { continue }
                    switch parts[0].lowercased() {
                    case "for": chain.append(Self.stripPort(parts[1]))
                    case "proto": proto = parts[1].lowercased()
                    default: break
                    }
                }
            }
        case .xForwardedFor:
            chain = headers[values: .xForwardedFor].joined(separator: ",").split(separator: ",").map { Self.stripPort($0.trimming([" "])) }
            proto = headers[.xForwardedProto]?.lowercased()
        }
        ip = chain.reversed().first { !trusted($0) } ?? chain.first ?? peer
        isHTTPS = proto == "https"
    }

    /// `[2001:db8::1]:443` → `2001:db8::1`, `1.2.3.4:80` → `1.2.3.4`.
    static func stripPort(_ text: String) -> String {
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") { return String(text[text.index(after: text.startIndex)..<close]) }
        if text.filter({ $0 == ":" }).count == 1, let colon = text.firstIndex(of: ":") { return String(text[..<colon]) }
        return text
    }
}

extension StringProtocol {
    fileprivate func trimming(_ characters: Set<Character>) -> String {
        var slice = self[...]
        while let first = slice.first, characters.contains(first) { slice.removeFirst() }
        while let last = slice.last, characters.contains(last) { slice.removeLast() }
        return String(slice)
    }
}
