import SluiceCore

/// The secret that turns a client address into its rate-limit bucket's key
/// (`SLUICE_ADDRESS_KEY`, 32 hex digits): from configuration, the same on every
/// replica, and never written to Redis, where it would sit beside the hashes
/// it protects (2³² IPv4 addresses are quickly tried against a known key).
struct AddressHashKey: Sendable, Equatable {
    let k0: UInt64
    let k1: UInt64
    /// Whether it came from configuration (false: made at random for this process).
    let configured: Bool

    /// Reads `SLUICE_ADDRESS_KEY`; without it, a random key for this process only.
    init(settings: Settings) throws(ConfigurationError) {
        guard let text = settings.optionalString(IngestSettings.addressKey) else {
            k0 = UInt64.random(in: .min ... .max)
            k1 = UInt64.random(in: .min ... .max)
            configured = false
            return
        }
        let hex = text.lowercased()
        guard hex.utf8.count == 32, hex.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }),
            let high = UInt64(hex.prefix(16), radix: 16), let low = UInt64(hex.suffix(16), radix: 16)
        else {
            throw ConfigurationError(
                variable: IngestSettings.addressKey.variable, value: maskedSecret(text),
                expected: "32 hex digits (128 bits), the same on every ingest replica, e.g. from `openssl rand -hex 16`")
        }
        k0 = high
        k1 = low
        configured = true
    }

    /// What the start-up summary shows: whether a key is set, never the key.
    var summary: String { configured ? "(set)" : "(unset: a random key for this process; replicas do not share address buckets)" }
}
