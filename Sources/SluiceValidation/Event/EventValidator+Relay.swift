import SluiceCore

extension EventValidator {
    /// The longest user agent kept, in bytes, from the header or `context.userAgent`.
    public static let maxUserAgentBytes = 1024

    /// The stamped tail for an event whose `context` speaks for the visitor, or nil
    /// when the request's tail stands: `context.userAgent` (any sender) replaces the
    /// request's `User-Agent`; `context.ip` replaces its address only from a server
    /// key's sender, kept as `SLUICE_IP_MODE` says. Values that are not strings are
    /// ignored, as an address that is not one is.
    static func relayedStampTail(_ body: JSONObject, stamp: RequestStamp) -> [UInt8]? {
        guard case .object(let context)? = body["context"] else { return nil }
        var relayed = stamp
        var changed = false
        if case .string(let userAgent)? = context["userAgent"], !userAgent.isEmpty {
            relayed.userAgent = truncatedUserAgent(userAgent)
            changed = true
        }
        if stamp.fromServer, case .string(let address)? = context["ip"] {
            relayed.ip = stamp.relayedAddressRetention.retained(address)
            changed = true
        }
        return changed ? stampTail(relayed) : nil
    }

    /// A user agent cut to `maxUserAgentBytes` (a split character becomes U+FFFD).
    public static func truncatedUserAgent(_ userAgent: String) -> String {
        userAgent.utf8.count <= maxUserAgentBytes ? userAgent : String(decoding: userAgent.utf8.prefix(maxUserAgentBytes), as: UTF8.self)
    }
}
