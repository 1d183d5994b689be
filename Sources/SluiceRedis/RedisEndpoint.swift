import SluiceCore

/// One Redis server's address.
public struct RedisAddress: Sendable, Hashable, CustomStringConvertible {
    /// Host name or address.
    public var host: String
    /// TCP port.
    public var port: Int

    /// An address.
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// Where Redis is: parsed from `redis://[[user]:password@]host[:port][/db]`, or from a
/// Redis Cluster seed list `redis://[[user]:password@]host1:port1,host2:port2,…`.
///
/// A URL naming two or more addresses means a cluster: the connection reads the slot
/// map from the first seed that answers, and the stream keys take the cluster's
/// partition tags (`StreamLayout.PartitionTags`). A cluster has only database 0.
public struct RedisEndpoint: Sendable, Equatable, CustomStringConvertible {
    /// Host name or address (the first seed's, for a cluster).
    public var host: String
    /// TCP port (the first seed's, for a cluster).
    public var port: Int
    /// Every address the URL names, in order: one for a single server, two or more for a cluster.
    public var seeds: [RedisAddress]
    /// Database number selected after connecting.
    public var database: Int
    /// ACL user name, if any.
    public var username: String?
    /// Password for AUTH, if any (the same on every node of a cluster).
    public var password: String?

    /// Parses a `redis://` URL.
    public init(url: String) throws(RedisError) {
        guard url.hasPrefix("redis://") else { throw .invalidURL(url, reason: "it must start with redis://") }
        var rest = Substring(url.dropFirst("redis://".count))
        username = nil
        password = nil
        if let at = rest.lastIndex(of: "@") {
            let userInfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
            if let colon = userInfo.firstIndex(of: ":") {
                let user = userInfo[..<colon]
                username = user.isEmpty ? nil : String(user)
                password = String(userInfo[userInfo.index(after: colon)...])
            } else {
                password = String(userInfo)
            }
        }
        database = 0
        if let slash = rest.firstIndex(of: "/") {
            let path = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
            if !path.isEmpty {
                guard let db = Int(path), db >= 0 else { throw .invalidURL(url, reason: "the path must be a database number") }
                database = db
            }
        }
        seeds = []
        for part in rest.split(separator: ",", omittingEmptySubsequences: false) {
            seeds.append(try Self.address(part, url: url))
        }
        if seeds.count > 1 && database != 0 {
            throw .invalidURL(url, reason: "a Redis Cluster has only database 0: drop /\(database) from the seed list")
        }
        if Set(seeds).count != seeds.count {
            throw .invalidURL(url, reason: "the seed list names one address twice")
        }
        host = seeds[0].host
        port = seeds[0].port
    }

    /// One `host[:port]` of the URL (IPv6 hosts in brackets).
    private static func address(_ text: Substring, url: String) throws(RedisError) -> RedisAddress {
        var rest = text
        var port = 6379
        if let colon = rest.lastIndex(of: ":"), !rest.hasPrefix("[") || rest[..<colon].hasSuffix("]") {
            guard let p = Int(rest[rest.index(after: colon)...]), (1...65535).contains(p) else {
                throw .invalidURL(url, reason: "the port must be a number from 1 to 65535")
            }
            port = p
            rest = rest[..<colon]
        }
        let host = rest.hasPrefix("[") && rest.hasSuffix("]") ? String(rest.dropFirst().dropLast()) : String(rest)
        guard !host.isEmpty else { throw .invalidURL(url, reason: "a host is missing") }
        return RedisAddress(host: host, port: port)
    }

    /// True when the URL lists a Redis Cluster's seed nodes.
    public var isCluster: Bool { seeds.count > 1 }

    /// The same credentials at another address (a cluster node found in the slot map).
    func at(_ address: RedisAddress) -> RedisEndpoint {
        var endpoint = self
        endpoint.host = address.host
        endpoint.port = address.port
        endpoint.seeds = [address]
        return endpoint
    }

    public var description: String {
        isCluster ? "cluster " + seeds.map(\.description).joined(separator: ",") : "\(RedisAddress(host: host, port: port))/\(database)"
    }
}

extension RedisEndpoint {
    /// The partition tags of the deployment this URL names: spread over the slot space
    /// on a cluster, numbered on a single server.
    public func partitionTags(partitions: Int) -> StreamLayout.PartitionTags {
        isCluster ? .spread(partitions: partitions) : .numbered
    }
}
