import CMongoc

extension MongoStore {
    /// Replaces the URL's `w` with `writeConcern`, keeping its `journal`, and bounds the
    /// wait with `MongoWriteConcern.defaultTimeoutMilliseconds` unless it sets `wtimeoutMS`.
    static func apply(_ writeConcern: MongoWriteConcern, to uri: OpaquePointer) {
        guard let concern = mongoc_write_concern_copy(mongoc_uri_get_write_concern(uri)) else { return }
        defer { mongoc_write_concern_destroy(concern) }
        let timeout = mongoc_write_concern_get_wtimeout_int64(concern)
        let bounded = timeout > 0 ? timeout : MongoWriteConcern.defaultTimeoutMilliseconds
        switch writeConcern {
        case .majority: mongoc_write_concern_set_wmajority(concern, 0)
        case .members(let count): mongoc_write_concern_set_w(concern, Int32(count))
        }
        mongoc_write_concern_set_wtimeout_int64(concern, bounded)
        mongoc_uri_set_write_concern(uri, concern)
    }

    /// The pool's settings as one line: hosts or SRV name, replica set, retryable
    /// writes (libmongoc's default is on) and the write concern.
    static func summary(of uri: OpaquePointer) -> String {
        var parts: [String] = []
        if let service = mongoc_uri_get_srv_hostname(uri) {
            parts.append("SRV \(String(cString: service)) (hosts from DNS)")
        } else {
            var hosts: [String] = []
            var host = mongoc_uri_get_hosts(uri)
            while let current = host {
                var entry = current.pointee
                hosts.append(withUnsafeBytes(of: &entry.host_and_port) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) })
                host = UnsafePointer(entry.next)
            }
            parts.append("hosts \(hosts.joined(separator: ","))")
        }
        if let replicaSet = mongoc_uri_get_replica_set(uri) {
            parts.append("replicaSet \(String(cString: replicaSet))")
        }
        let retryWrites = mongoc_uri_get_option_as_bool(uri, MONGOC_URI_RETRYWRITES, true)
        parts.append("retryWrites \(retryWrites ? "on" : "off")")
        let concern = mongoc_uri_get_write_concern(uri)
        let w = mongoc_write_concern_get_w(concern)
        let members = w == MONGOC_WRITE_CONCERN_W_MAJORITY ? "majority" : w == MONGOC_WRITE_CONCERN_W_DEFAULT ? "default (1)" : String(w)
        let timeout = mongoc_write_concern_get_wtimeout_int64(concern)
        let journal = mongoc_write_concern_journal_is_set(concern) ? (mongoc_write_concern_get_journal(concern) ? ", journal" : ", no journal") : ""
        parts.append("write concern w=\(members)\(journal)\(timeout > 0 ? ", wtimeout \(timeout) ms" : "")")
        return parts.joined(separator: "; ")
    }
}
