import Hummingbird
import NIOCore

/// The per-request context of ingest: Hummingbird's core plus the peer address.
public struct IngestRequestContext: RequestContext, RemoteAddressRequestContext {
    /// Hummingbird's core context storage.
    public var coreContext: CoreRequestContextStorage
    /// The socket peer (the client, or the proxy in front of ingest).
    public let remoteAddress: SocketAddress?

    /// A context for a request arriving on `source.channel`.
    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}
