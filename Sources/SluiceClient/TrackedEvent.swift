import Foundation

/// One event as ingest's batch route takes it (docs/events.md): an API call or a page view.
public struct TrackedEvent: Sendable, Codable, Equatable {
    /// What a server relays about the browser behind the request.
    public struct RelayedContext: Sendable, Codable, Equatable {
        /// The browser's `User-Agent`: the event's device is parsed from it, not from the server's client.
        public var userAgent: String?
        /// The browser's address (honoured for server keys only).
        public var ip: String?
        /// The browser's `Referer`.
        public var referrer: String?
        /// The sending library.
        public var library = "sluice-hummingbird"

        /// A context with what the server knows of the browser.
        public init(userAgent: String? = nil, ip: String? = nil, referrer: String? = nil) {
            self.userAgent = userAgent
            self.ip = ip
            self.referrer = referrer
        }
    }

    /// `api` or `pageview`.
    public var type: String
    /// A fresh id: a retried batch carries the same ids, so ingest stores each event once.
    public var id = UUID().uuidString.lowercased()
    /// The visitor cookie's value.
    public var visitorId: String
    /// When the request was answered, epoch milliseconds.
    public var timestamp: Int64
    /// The relayed browser context.
    public var context: RelayedContext
    /// API calls: the route pattern (`/items/{id}`) or the path when no route matched.
    public var endpoint: String?
    /// API calls: the HTTP method.
    public var method: String?
    /// API calls: the response's status.
    public var statusCode: Int?
    /// API calls: milliseconds from the request to the response's last byte.
    public var responseTime: Int64?
    /// Page views: the page's URL.
    public var url: String?
    /// Page views: the page's referrer.
    public var referrer: String?

    /// An event of `type` (`api` or `pageview`) with a fresh id; set the kind's fields.
    public init(
        type: String, visitorId: String, timestamp: Int64, context: RelayedContext, endpoint: String? = nil, method: String? = nil, statusCode: Int? = nil,
        responseTime: Int64? = nil, url: String? = nil, referrer: String? = nil
    ) {
        self.type = type
        self.visitorId = visitorId
        self.timestamp = timestamp
        self.context = context
        self.endpoint = endpoint
        self.method = method
        self.statusCode = statusCode
        self.responseTime = responseTime
        self.url = url
        self.referrer = referrer
    }
}
