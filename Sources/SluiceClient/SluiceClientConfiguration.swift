import Foundation

/// How a Swift server sends its visitors' events to Sluice (docs/server.md).
public struct SluiceClientConfiguration: Sendable {
    /// Ingest's base URL, e.g. `https://ingest.example.com`.
    public var endpoint: URL
    /// A server key of the site (sent as `X-Sluice-Key`); never a page's write key.
    public var writeKey: String
    /// The visitor cookie's name, as ingest's `SLUICE_COOKIE_NAME` (default `sluice_visitor`).
    public var cookieName = "sluice_visitor"
    /// The visitor cookie's `Domain`, as ingest's `SLUICE_COOKIE_DOMAIN`; nil keeps it on this host.
    public var cookieDomain: String?
    /// Whether a `GET` answered with `text/html` is also a page view (default true).
    public var pageViews = true
    /// Whether the client address is cut to /24 (IPv4) or /48 (IPv6) before it is sent (default true).
    public var anonymizeIP = true
    /// Events that trigger a flush, and the most sent in one batch (default 50).
    public var flushAt = 50
    /// The longest an event waits in the queue (default 2 s).
    public var flushInterval = Duration.seconds(2)
    /// Events queued at most; past it the oldest is dropped and counted (default 10,000).
    public var maxQueue = 10_000
    /// Retries of one batch after a 429, a 5xx or a network error before it is given up (default 5).
    public var maxRetries = 5
    /// One request's deadline (default 5 s).
    public var timeout = Duration.seconds(5)

    /// A configuration with the defaults above; throws when the key cannot be a server key.
    public init(endpoint: URL, writeKey: String) throws(SluiceClientError) {
        guard let scheme = endpoint.scheme?.lowercased(), scheme == "http" || scheme == "https", endpoint.host != nil else {
            throw .invalidConfiguration("endpoint must be ingest's http(s) URL, e.g. https://ingest.example.com, got \(endpoint)")
        }
        guard writeKey.utf8.count >= 16 else {
            throw .invalidConfiguration("writeKey must be a server key of the site (at least 16 characters)")
        }
        self.endpoint = endpoint
        self.writeKey = writeKey
    }
}

/// Why the client could not be set up.
public enum SluiceClientError: Error, Equatable, CustomStringConvertible {
    /// A setting that cannot work, and why.
    case invalidConfiguration(String)

    public var description: String {
        switch self {
        case .invalidConfiguration(let problem): "Sluice client: \(problem)"
        }
    }
}
