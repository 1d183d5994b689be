import SluiceCore

/// A token bucket: `rate` tokens per second, at most `burst` saved up.
public struct RateLimit: Sendable, Equatable {
    public var rate: Double
    public var burst: Int

    /// Parses `rate/burst` (e.g. `100/1000`); nil for `off`.
    public static func parse(_ text: String, variable: String) throws(ConfigurationError) -> RateLimit? {
        if text.lowercased() == "off" { return nil }
        let parts = text.split(separator: "/")
        guard parts.count == 2, let rate = Double(parts[0]), rate > 0, let burst = Int(parts[1]), burst >= 1 else {
            throw ConfigurationError(variable: variable, value: text, expected: "events per second and burst as rate/burst (e.g. 100/1000), or off")
        }
        return RateLimit(rate: rate, burst: burst)
    }
}

/// The token buckets one request draws from, and what it costs.
struct RateCharge: Sendable, Equatable {
    /// Bucket keys, `rl:site:…` and/or `rl:visitor:…`.
    var keys: [String]
    /// The script's leading arguments: now (ms), cost, then rate and burst per key.
    var arguments: [String]
}

/// Token buckets per site and per visitor (or client address), kept in Redis so
/// every ingest replica shares them. A request's buckets are checked and taken
/// by the same script that appends its events (`LimitedAppend`): one round
/// trip, and nothing is appended for a refused request. A flood from one
/// visitor empties only its own bucket.
struct RateLimiter: Sendable {
    let perSite: RateLimit?
    let perVisitor: RateLimit?

    /// What `cost` events from `visitor` (on `site`) draw from; nil when no limit applies.
    func charge(cost: Int, site: String?, visitor: String, now: Int64) -> RateCharge? {
        var charge = RateCharge(keys: [], arguments: [String(now), String(cost)])
        func add(_ key: String, _ limit: RateLimit) {
            charge.keys.append(key)
            charge.arguments += [String(limit.rate), String(limit.burst)]
        }
        if let perSite, let site { add("rl:site:\(site)", perSite) }
        if let perVisitor { add("rl:visitor:\(visitor)", perVisitor) }
        return charge.keys.isEmpty ? nil : charge
    }
}
