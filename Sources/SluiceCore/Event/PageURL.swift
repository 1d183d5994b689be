/// The parts of a page URL the worker stores.
public enum PageURL {
    /// The path of an absolute or relative URL: `https://a.com/x/y?q=1#f` → `/x/y`; `/` when empty.
    public static func path(of url: String) -> String {
        var rest = Substring(url)
        // Only a "://" before any '/', '?' or '#' ends a scheme; a later one is in a path, query or fragment.
        if let scheme = rest.firstRange(of: "://"), !rest[..<scheme.lowerBound].contains(where: { $0 == "/" || $0 == "?" || $0 == "#" }) {
            rest = rest[scheme.upperBound...]
            guard let slash = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) else { return "/" }
            rest = rest[slash...]
        }
        if let end = rest.firstIndex(where: { $0 == "?" || $0 == "#" }) { rest = rest[..<end] }
        return rest.isEmpty ? "/" : String(rest)
    }

    /// The host of an absolute URL, lower-cased and without `www.`; nil for relative URLs.
    public static func host(of url: String) -> String? {
        guard let scheme = url.firstRange(of: "://") else { return nil }
        var rest = url[scheme.upperBound...]
        if let end = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) { rest = rest[..<end] }
        if let at = rest.lastIndex(of: "@") { rest = rest[rest.index(after: at)...] }
        // A port follows the last colon, unless that colon is inside an IPv6 literal ([::1]).
        if let colon = rest.lastIndex(of: ":"), !rest[colon...].contains("]") { rest = rest[..<colon] }
        var host = rest.lowercased()
        if host.hasPrefix("www.") { host.removeFirst(4) }
        return host.isEmpty ? nil : host
    }

    /// The query parameters of a URL in order, percent-decoded (`+` as space); later duplicates kept.
    public static func queryItems(of url: String) -> [(key: String, value: String)] {
        guard let start = url.firstIndex(of: "?") else { return [] }
        var query = url[url.index(after: start)...]
        if let fragment = query.firstIndex(of: "#") { query = query[..<fragment] }
        return query.split(separator: "&").compactMap { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let key = parts.first.map({ percentDecoded(String($0)) }), !key.isEmpty else { return nil }
            return (key, parts.count > 1 ? percentDecoded(String(parts[1])) : "")
        }
    }

    /// Decodes `%XX` and `+`; malformed escapes are kept as they are.
    static func percentDecoded(_ text: String) -> String {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        var pending: [UInt8] = []
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "+") {
                bytes.append(0x20)
            } else if byte == UInt8(ascii: "%") {
                pending = [byte]
                guard let high = iterator.next() else { bytes += pending; break }
                pending.append(high)
                guard let low = iterator.next() else { bytes += pending; break }
                pending.append(low)
                if let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16) { bytes.append(value) } else { bytes += pending }
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
