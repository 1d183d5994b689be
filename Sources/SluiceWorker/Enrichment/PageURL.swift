/// The parts of a page URL the worker stores. Works on UTF-8 bytes: the worker
/// runs these for every page view, and Character-by-Character string walking
/// was most of the enrichment cost.
enum PageURL {
    private static let slash = UInt8(ascii: "/")
    private static let question = UInt8(ascii: "?")
    private static let hash = UInt8(ascii: "#")

    /// The index just past `://` if it comes before any `/`, `?` or `#` (a scheme), else nil.
    private static func afterScheme(_ bytes: [UInt8]) -> Int? {
        var index = 0
        while index + 2 < bytes.count {
            let byte = bytes[index]
            if byte == slash || byte == question || byte == hash { return nil }
            if byte == UInt8(ascii: ":") && bytes[index + 1] == slash && bytes[index + 2] == slash { return index + 3 }
            index += 1
        }
        return nil
    }

    private static func isDelimiter(_ byte: UInt8) -> Bool { byte == slash || byte == question || byte == hash }

    /// The path of an absolute or relative URL: `https://a.com/x/y?q=1#f` → `/x/y`; `/` when empty.
    static func path(of url: String) -> String {
        let bytes = Array(url.utf8)
        var start = 0
        if let authority = afterScheme(bytes) {
            guard let pathStart = bytes[authority...].firstIndex(where: isDelimiter) else { return "/" }
            start = pathStart
        }
        let end = bytes[start...].firstIndex { $0 == question || $0 == hash } ?? bytes.count
        return start == end ? "/" : String(decoding: bytes[start..<end], as: UTF8.self)
    }

    /// The host of an absolute URL, lower-cased and without `www.`; nil for relative URLs.
    static func host(of url: String) -> String? {
        let bytes = Array(url.utf8)
        guard let authority = afterScheme(bytes) else { return nil }
        var end = bytes[authority...].firstIndex(where: isDelimiter) ?? bytes.count
        var start = authority
        if let at = bytes[start..<end].lastIndex(of: UInt8(ascii: "@")) { start = at + 1 }
        // A port follows the last colon, unless that colon is inside an IPv6 literal ([::1]).
        if let colon = bytes[start..<end].lastIndex(of: UInt8(ascii: ":")), !bytes[colon..<end].contains(UInt8(ascii: "]")) { end = colon }
        var host = bytes[start..<end].map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }
        if host.starts(with: Array("www.".utf8)) { host.removeFirst(4) }
        return host.isEmpty ? nil : String(decoding: host, as: UTF8.self)
    }

    /// The query parameters of a URL in order, percent-decoded (`+` as space); later duplicates kept.
    static func queryItems(of url: String) -> [(key: String, value: String)] {
        let bytes = Array(url.utf8)
        guard let question = bytes.firstIndex(of: question) else { return [] }
        let end = bytes[question...].firstIndex(of: hash) ?? bytes.count
        var items: [(key: String, value: String)] = []
        var start = question + 1
        while start < end {
            let stop = bytes[start..<end].firstIndex(of: UInt8(ascii: "&")) ?? end
            if stop > start {
                let pair = bytes[start..<stop]
                let equals = pair.firstIndex(of: UInt8(ascii: "="))
                let key = decode(pair[..<(equals ?? stop)])
                if !key.isEmpty { items.append((key, equals.map { decode(pair[($0 + 1)...]) } ?? "")) }
            }
            start = stop + 1
        }
        return items
    }

    /// Decodes `%XX` and `+`; malformed escapes are kept as they are.
    private static func decode(_ bytes: ArraySlice<UInt8>) -> String {
        guard bytes.contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "+") }) else {
            return String(decoding: bytes, as: UTF8.self)
        }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "+") {
                out.append(0x20)
            } else if byte == UInt8(ascii: "%"), index + 2 < bytes.endIndex, let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2]) {
                out.append(high << 4 | low)
                index += 2
            } else {
                out.append(byte)
            }
            index += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
