/// The sites allowed to send events, their write keys and browser origins,
/// read from the JSON file named by `SLUICE_SITES`:
///
/// ```json
/// {"sites": [{"id": "shop", "writeKeys": ["wk_live_…"], "serverKeys": ["sk_live_…"], "origins": ["https://shop.example"]}]}
/// ```
///
/// Write keys are for browsers; server keys for backends that relay a visitor's
/// context (docs/server.md), never accepted from a browser.
///
/// Without a file ingest runs open: any caller, any origin (the local default).
public struct SiteRegistry: Sendable {
    /// One site.
    public struct Site: Sendable, Equatable {
        /// Stamped on every event as `siteId`.
        public let id: String
        /// Keys that identify the site (`X-Sluice-Key`, Basic user, or `writeKey` in the body).
        public let writeKeys: [String]
        /// Keys only servers hold: refused from browsers, trusted with `context.ip`.
        public let serverKeys: [String]
        /// Origins (`scheme://host[:port]`) browsers may send from; empty = any origin.
        public let origins: [String]
    }

    /// The site a key names, and whether it is one of the site's server keys.
    public struct KeyMatch: Sendable, Equatable {
        /// The site.
        public let site: Site
        /// The key is a server key (else a browser write key).
        public let isServerKey: Bool
    }

    /// The sites, in file order.
    public let sites: [Site]
    private let byKey: [String: KeyMatch]

    /// Parses the file's contents; `source` names it in errors.
    public init(json: [UInt8], source: String) throws(ConfigurationError) {
        func fail(_ problem: String) -> ConfigurationError {
            ConfigurationError(variable: Setting.sites.variable, value: source, expected: problem)
        }
        let value: JSONValue
        do {
            value = try JSONParser.parse(json)
        } catch {
            throw fail("a JSON sites file; \(error)")
        }
        guard case .array(let entries)? = value.objectValue?["sites"] else {
            throw fail(#"an object with a "sites" array"#)
        }
        var sites: [Site] = []
        var byKey: [String: KeyMatch] = [:]
        for (index, entry) in entries.enumerated() {
            guard let object = entry.objectValue, let id = object["id"]?.stringValue, !id.isEmpty, id.utf8.count <= 100 else {
                throw fail("sites[\(index)] with a non-empty \"id\" of at most 100 bytes")
            }
            let keys = try Self.keys(object["writeKeys"], site: id, index: index, name: "writeKeys", fail: fail)
            let serverKeys = try Self.keys(object["serverKeys"], site: id, index: index, name: "serverKeys", fail: fail)
            guard !keys.isEmpty || !serverKeys.isEmpty else {
                throw fail("sites[\(index)] (\(id)) with a non-empty \"writeKeys\" (or \"serverKeys\") array")
            }
            var origins: [String] = []
            if case .array(let originValues)? = object["origins"] {
                origins = originValues.compactMap(\.stringValue).map(Self.normalisedOrigin)
                guard origins.count == originValues.count, origins.allSatisfy({ $0.contains("://") }) else {
                    throw fail("sites[\(index)] (\(id)): \"origins\" as strings like https://shop.example")
                }
            }
            let site = Site(id: id, writeKeys: keys, serverKeys: serverKeys, origins: origins)
            for (key, isServerKey) in keys.map({ ($0, false) }) + serverKeys.map({ ($0, true) }) {
                guard byKey[key] == nil else { throw fail("write and server keys unique across sites (\(id) repeats one)") }
                byKey[key] = KeyMatch(site: site, isServerKey: isServerKey)
            }
            sites.append(site)
        }
        self.sites = sites
        self.byKey = byKey
    }

    /// The site a write or server key belongs to, compared in constant time per key.
    public func site(forKey key: String) -> Site? { match(forKey: key)?.site }

    /// The site a key belongs to and its kind, compared in constant time per key.
    public func match(forKey key: String) -> KeyMatch? {
        var found: KeyMatch?
        for (candidate, match) in byKey where ConstantTime.equal(candidate, key) { found = match }
        return found
    }

    /// The keys under `name` (absent = none): strings of at least 16 characters.
    private static func keys(
        _ value: JSONValue?, site id: String, index: Int, name: String, fail: (String) -> ConfigurationError
    ) throws(ConfigurationError) -> [String] {
        guard let value else { return [] }
        guard case .array(let keyValues) = value else { throw fail("sites[\(index)] (\(id)): \"\(name)\" as an array of strings") }
        let keys = keyValues.compactMap(\.stringValue).filter { $0.utf8.count >= 16 }
        guard keys.count == keyValues.count else {
            throw fail("sites[\(index)] (\(id)): every key in \"\(name)\" a string of at least 16 characters")
        }
        return keys
    }

    /// Every origin any site allows (for CORS preflights).
    public var allOrigins: [String] { Array(Set(sites.flatMap(\.origins))).sorted() }

    /// `Origin` headers compare lower-case and without a trailing slash.
    public static func normalisedOrigin(_ origin: String) -> String {
        var value = origin.lowercased()
        while value.hasSuffix("/") { value.removeLast() }
        return value
    }
}

/// Comparisons that take the same time wherever the inputs differ (for secrets).
public enum ConstantTime {
    /// Whether two strings are equal, without an early exit on the first difference.
    public static func equal(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        // The whole length difference counts: kept to eight bits, a key followed by
        // 256 NULs compared equal to the key itself.
        var difference = UInt(bitPattern: x.count ^ y.count)
        for index in 0..<max(x.count, y.count) {
            difference |= UInt((index < x.count ? x[index] : 0) ^ (index < y.count ? y[index] : 0))
        }
        return difference == 0
    }
}
