/// What is kept of a client address before it is queued (`SLUICE_IP_MODE`).
public enum AddressRetention: String, Sendable, CaseIterable {
    /// IPv4 last octet zeroed, IPv6 cut to /48 (default).
    case anonymize
    /// The full address (only if you have a reason and a legal basis).
    case full
    /// No address at all.
    case none

    /// The address as kept; nil when nothing is kept or `address` is not an IP address.
    public func retained(_ address: String) -> String? {
        switch self {
        case .anonymize: IPAnonymizer.anonymize(address)
        case .full: IPAnonymizer.canonical(address)
        case .none: nil
        }
    }
}
