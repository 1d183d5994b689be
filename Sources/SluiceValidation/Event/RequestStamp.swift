/// What ingest knows about the request an event arrived in, stamped onto the event.
public struct RequestStamp: Sendable {
    /// When ingest received the request, epoch milliseconds.
    public var receivedAt: Int64
    /// The client address, already anonymised.
    public var ip: String?
    /// The `User-Agent` header.
    public var userAgent: String?
    /// The visitor id from the cookie, or a fresh one ingest will set as the cookie.
    public var cookieVisitorId: String
    /// The site whose write key the request carried (nil when ingest runs open).
    public var siteId: String?
    /// Do Not Track in anonymous mode: identifiers in the body (visitorId, userId,
    /// sessionId) are dropped so nothing links the event to a person.
    public var anonymous = false
    /// The sender holds a server key: `ip` and `userAgent` are nil (its own are not
    /// the visitor's), and an event's `context.ip` is honoured.
    public var fromServer = false
    /// What is kept of an address relayed in `context.ip` (`SLUICE_IP_MODE`).
    public var relayedAddressRetention = AddressRetention.anonymize

    /// A stamp for one request.
    public init(receivedAt: Int64, ip: String?, userAgent: String?, cookieVisitorId: String, siteId: String? = nil) {
        self.siteId = siteId
        self.receivedAt = receivedAt
        self.ip = ip
        self.userAgent = userAgent
        self.cookieVisitorId = cookieVisitorId
    }
}
