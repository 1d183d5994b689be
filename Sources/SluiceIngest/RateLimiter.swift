import SluiceCore
import SluiceValidation

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
    /// Bucket keys: `rl:address:…` (or `rl:server:…`), `rl:visitor:…` and/or `rl:site:…`.
    var keys: [String]
    /// The script's leading arguments: now (ms), cost, then rate and burst per key.
    var arguments: [String]
}

/// Token buckets per client address, per visitor and per site, kept in Redis so
/// every ingest replica shares them. A request's buckets are checked and taken
/// by the same script that appends its events (`limitedAppendScript`): one
/// round trip, and nothing is appended for a refused request.
///
/// The address bucket holds every request from one address (an IPv6 /64), so
/// rotating cookies buys nothing; the visitor bucket, inside it, exists only
/// when the request carries a visitor cookie, so one flooding visitor behind a
/// shared address empties only its own. The address is keyed by a keyed hash
/// (SipHash under `SLUICE_ADDRESS_KEY`, `AddressHashKey`), never the address itself.
///
/// A server key's sender relays many visitors from one address, so it skips the
/// address bucket and draws from its site's server bucket (`perServer`) instead.
struct RateLimiter: Sendable {
    let perSite: RateLimit?
    let perAddress: RateLimit?
    let perVisitor: RateLimit?
    var perServer: RateLimit? = nil
    let addressHashKey: AddressHashKey

    /// What `cost` events from `address` (and the cookie's `visitor`, on `site`)
    /// draw from; nil when no limit applies. `fromServer`: sent with a server key.
    func charge(cost: Int, site: String?, visitor: String?, address: String?, fromServer: Bool = false, now: Int64) -> RateCharge? {
        let addressKey = perAddress == nil || fromServer ? nil : address.map { Self.addressKey(of: $0, key: addressHashKey) }
        let serverKey = fromServer ? site.map { StreamLayout.rateLimitKey("server", $0) } : nil
        return charge(cost: cost, site: site, visitor: visitor, addressKey: addressKey, serverKey: serverKey, now: now)
    }

    /// The charge once the address's (or server's) bucket key is known.
    private func charge(cost: Int, site: String?, visitor: String?, addressKey: String?, serverKey: String?, now: Int64) -> RateCharge? {
        var charge = RateCharge(keys: [], arguments: [String(now), String(cost)])
        func add(_ key: String, _ limit: RateLimit) {
            charge.keys.append(key)
            charge.arguments += [String(limit.rate), String(limit.burst)]
        }
        if let perAddress, let addressKey { add(addressKey, perAddress) }
        if let perServer, let serverKey { add(serverKey, perServer) }
        if let perVisitor, let visitor { add(StreamLayout.rateLimitKey("visitor", visitor), perVisitor) }
        if let perSite, let site { add(StreamLayout.rateLimitKey("site", site), perSite) }
        return charge.keys.isEmpty ? nil : charge
    }

    /// `rl:address:<16 hex digits>`: SipHash of the address's bytes under the
    /// configured key. IPv6 counts by its /64, the block one host or subscriber
    /// gets and can rotate through for free; text that is not an address is
    /// hashed as is.
    static func addressKey(of address: String, key: AddressHashKey) -> String {
        // A leading tag keeps the three kinds of input apart.
        let material: [UInt8] =
            switch IPNetwork.bytes(of: address) {
            case let bytes? where bytes.count == 16: [6] + bytes.prefix(8)
            case let bytes?: [4] + bytes
            case nil: [0] + Array(address.utf8)
            }
        let hex = String(SipHash.hash(material, k0: key.k0, k1: key.k1), radix: 16)
        return StreamLayout.rateLimitKey("address", String(repeating: "0", count: 16 - hex.count) + hex)
    }
}
