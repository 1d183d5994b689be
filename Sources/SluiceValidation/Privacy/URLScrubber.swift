/// Takes secrets out of a URL before it is queued: the fragment (where OAuth
/// implicit flows put `access_token`), user info (`https://user:pass@host`), and
/// the values of credential-like query parameters, which become `[redacted]`.
///
/// A parameter is credential-like when its name (percent-decoded, any case)
/// matches one of `secretParameters`, or when its value holds an email address
/// (an `@`, sent or percent-encoded). Campaign parameters (`utm_*`) and click
/// ids are kept unless they hold an email, so attribution still works. Linear in
/// the URL's length, whatever it holds.
public struct URLScrubber: Sendable {
    /// Parameter-name patterns: a name, or a name with a leading and/or trailing
    /// `*` (`*token*` matches `reset_token` and `tokenId`).
    public let secretParameters: [String]

    /// The default patterns (docs/privacy.md, "URLs").
    public static let defaultSecretParameters = [
        "*token*", "*secret*", "*passw*", "*session*", "*email*", "*auth*", "*apikey*", "*api_key*", "*credential*", "*signature*",
        "*_key", "*-key",
        "code", "key", "pwd", "pass", "pin", "otp", "sig", "signature", "sid", "jwt", "mail", "ssn",
    ]

    /// What a redacted value becomes.
    public static let redacted = "[redacted]"

    /// The patterns as lowercase bytes, by where they must match.
    private let exact: [[UInt8]]
    private let prefixes: [[UInt8]]
    private let suffixes: [[UInt8]]
    private let infixes: [[UInt8]]

    /// A scrubber for `secretParameters` (the defaults unless given).
    public init(secretParameters: [String] = URLScrubber.defaultSecretParameters) {
        self.secretParameters = secretParameters
        var exact: [[UInt8]] = []
        var prefixes: [[UInt8]] = []
        var suffixes: [[UInt8]] = []
        var infixes: [[UInt8]] = []
        for pattern in secretParameters.map({ $0.lowercased() }) {
            let leading = pattern.hasPrefix("*")
            let trailing = pattern.hasSuffix("*") && pattern.count > 1
            let core = Array(pattern.utf8.dropFirst(leading ? 1 : 0).dropLast(trailing ? 1 : 0))
            guard !core.isEmpty else { continue }
            switch (leading, trailing) {
            case (true, true): infixes.append(core)
            case (true, false): suffixes.append(core)
            case (false, true): prefixes.append(core)
            case (false, false): exact.append(core)
            }
        }
        self.exact = exact
        self.prefixes = prefixes
        self.suffixes = suffixes
        self.infixes = infixes
    }

    /// The URL without its fragment and user info, with secret parameter values
    /// redacted; `changed` says whether anything was taken out.
    public func scrub(_ url: String) -> (url: String, changed: Bool) {
        let bytes = Array(url.utf8)
        let end = bytes.firstIndex(of: UInt8(ascii: "#")) ?? bytes.count
        var changed = end < bytes.count
        var output: [UInt8] = []
        output.reserveCapacity(end)
        let queryStart = bytes[..<end].firstIndex(of: UInt8(ascii: "?")) ?? end
        let userInfo = userInfoRange(bytes, before: queryStart)
        if let userInfo {
            output.append(contentsOf: bytes[..<userInfo.lowerBound])
            output.append(contentsOf: bytes[userInfo.upperBound..<queryStart])
            changed = true
        } else {
            output.append(contentsOf: bytes[..<queryStart])
        }
        if queryStart < end {
            output.append(UInt8(ascii: "?"))
            var nameBuffer: [UInt8] = []
            var start = queryStart + 1
            while start <= end {
                var stop = start
                while stop < end, bytes[stop] != UInt8(ascii: "&") { stop += 1 }
                if start > queryStart + 1 { output.append(UInt8(ascii: "&")) }
                let parameter = bytes[start..<stop]
                if let equals = parameter.firstIndex(of: UInt8(ascii: "=")),
                    isSecret(name: parameter[..<equals], value: parameter[(equals + 1)...], buffer: &nameBuffer)
                {
                    output.append(contentsOf: parameter[...equals])
                    output.append(contentsOf: Self.redacted.utf8)
                    changed = true
                } else {
                    output.append(contentsOf: parameter)
                }
                start = stop + 1
            }
        }
        guard changed else { return (url, false) }
        return (String(decoding: output, as: UTF8.self), true)
    }

    /// The `user:pass@` of `scheme://user:pass@host/…`, if the URL has one.
    private func userInfoRange(_ bytes: [UInt8], before limit: Int) -> Range<Int>? {
        guard let colon = bytes[..<limit].firstIndex(of: UInt8(ascii: ":")), colon + 2 < limit,
            bytes[colon + 1] == UInt8(ascii: "/"), bytes[colon + 2] == UInt8(ascii: "/")
        else { return nil }
        let authorityStart = colon + 3
        let authorityEnd = bytes[authorityStart..<limit].firstIndex(of: UInt8(ascii: "/")) ?? limit
        guard let at = bytes[authorityStart..<authorityEnd].lastIndex(of: UInt8(ascii: "@")) else { return nil }
        return authorityStart..<(at + 1)
    }

    /// Whether a parameter's value is to be redacted. Works on the name's bytes,
    /// decoded and lowercased into one buffer: no strings are made per parameter.
    private func isSecret(name rawName: ArraySlice<UInt8>, value: ArraySlice<UInt8>, buffer name: inout [UInt8]) -> Bool {
        Self.normalise(rawName, into: &name)
        // An email is taken out even from a campaign parameter (`utm_content=bob%40…`).
        if Self.holdsEmail(value) { return true }
        if name.starts(with: Self.campaignPrefix) || Self.clickIds.contains(where: { $0 == name }) { return false }
        if exact.contains(where: { $0 == name }) { return true }
        if prefixes.contains(where: { name.starts(with: $0) }) { return true }
        if suffixes.contains(where: { name.count >= $0.count && name.suffix($0.count).elementsEqual($0) }) { return true }
        return infixes.contains(where: { Self.contains(name, $0) })
    }

    /// Whether `pattern` occurs in `text`: a first-byte scan, then a compare.
    private static func contains(_ text: [UInt8], _ pattern: [UInt8]) -> Bool {
        guard pattern.count <= text.count, let first = pattern.first else { return false }
        var index = 0
        while index <= text.count - pattern.count {
            if text[index] == first, text[index..<(index + pattern.count)].elementsEqual(pattern) { return true }
            index += 1
        }
        return false
    }

    private static let campaignPrefix = Array("utm_".utf8)

    /// Whether a parameter value holds an `@`, sent as is or as `%40`.
    private static func holdsEmail(_ value: ArraySlice<UInt8>) -> Bool {
        var index = value.startIndex
        while index < value.endIndex {
            if value[index] == UInt8(ascii: "@") { return true }
            if value[index] == UInt8(ascii: "%"), index + 2 < value.endIndex, value[index + 1] == UInt8(ascii: "4"), value[index + 2] == UInt8(ascii: "0") {
                return true
            }
            index += 1
        }
        return false
    }

    /// The click ids ad networks add; kept like `utm_*` (TrafficSource reads them).
    private static let clickIds = ["gclid", "gbraid", "wbraid", "fbclid", "msclkid", "ttclid", "twclid", "li_fat_id", "dclid", "yclid"].map { Array($0.utf8) }

    /// A parameter name percent-decoded (`access%5Ftoken` → `access_token`, `+` a
    /// space; bad escapes kept as sent) and lowercased, as bytes.
    private static func normalise(_ bytes: ArraySlice<UInt8>, into decoded: inout [UInt8]) {
        decoded.removeAll(keepingCapacity: true)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            var byte = bytes[index]
            if byte == UInt8(ascii: "%"), index + 2 < bytes.endIndex, let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2]) {
                byte = high << 4 | low
                index += 3
            } else {
                if byte == UInt8(ascii: "+") { byte = UInt8(ascii: " ") }
                index += 1
            }
            decoded.append(byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte)
        }
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
