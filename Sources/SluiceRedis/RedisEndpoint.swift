/// Where Redis is: parsed from `redis://[[user]:password@]host[:port][/db]`.
public struct RedisEndpoint: Sendable, Equatable, CustomStringConvertible {
    /// Host name or address.
    public var host: String
    /// TCP port.
    public var port: Int
    /// Database number selected after connecting.
    public var database: Int
    /// ACL user name, if any.
    public var username: String?
    /// Password for AUTH, if any.
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
        port = 6379
        if let colon = rest.lastIndex(of: ":"), !rest.hasPrefix("[") || rest[..<colon].hasSuffix("]") {
            guard let p = Int(rest[rest.index(after: colon)...]), (1...65535).contains(p) else {
                throw .invalidURL(url, reason: "the port must be a number from 1 to 65535")
            }
            port = p
            rest = rest[..<colon]
        }
        host = rest.hasPrefix("[") && rest.hasSuffix("]") ? String(rest.dropFirst().dropLast()) : String(rest)
        guard !host.isEmpty else { throw .invalidURL(url, reason: "the host is missing") }
    }

    public var description: String { "\(host):\(port)/\(database)" }
}
