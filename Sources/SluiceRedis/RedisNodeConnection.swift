import CHiredis
import Glibc

/// A blocking connection to one Redis server, wrapping a hiredis context: what
/// `RedisConnection` uses for a single server and for each node of a cluster.
///
/// Not thread-safe (neither is the context): one thread owns it. After any I/O
/// error hiredis leaves the context unusable, so the connection marks itself
/// broken and the owner makes a new one (`redisReconnect` would drop the read
/// timeout).
final class RedisNodeConnection {
    /// The server this connection talks to.
    let endpoint: RedisEndpoint
    private let context: UnsafeMutablePointer<redisContext>
    /// True once an I/O error has made the connection unusable.
    private(set) var isBroken = false

    /// Connects, then authenticates and selects the database the endpoint names.
    /// - Parameters:
    ///   - connectTimeout: seconds to wait for the TCP connection.
    ///   - readTimeout: seconds to wait for any reply; must exceed any `BLOCK` time used.
    init(endpoint: RedisEndpoint, connectTimeout: Double, readTimeout: Double) throws(RedisError) {
        self.endpoint = endpoint
        guard let context = redisConnectWithTimeout(endpoint.host, Int32(endpoint.port), timeval(seconds: connectTimeout)) else {
            throw .connectFailed(endpoint: endpoint.description, message: "out of memory")
        }
        if context.pointee.err != 0 {
            let message = Self.errorString(context)
            redisFree(context)
            throw .connectFailed(endpoint: endpoint.description, message: message)
        }
        self.context = context
        redisSetTimeout(context, timeval(seconds: readTimeout))
        _ = redisEnableKeepAlive(context)
        if let password = endpoint.password {
            let auth = endpoint.username.map { RedisCommand("AUTH", $0, password) } ?? RedisCommand("AUTH", password)
            try setup(auth, label: "AUTH")
        }
        if endpoint.database != 0 {
            try setup(RedisCommand("SELECT", String(endpoint.database)), label: "SELECT \(endpoint.database)")
        }
    }

    deinit {
        redisFree(context)
    }

    private func setup(_ command: RedisCommand, label: String) throws(RedisError) {
        let reply: RedisReply
        do {
            reply = try send(command)
        } catch {
            throw .connectFailed(endpoint: endpoint.description, message: "\(error)")
        }
        if let message = reply.errorMessage {
            throw .setupFailed(endpoint: endpoint.description, command: label, message: message)
        }
    }

    /// Sends one command and waits for its reply. Error replies are returned, not thrown.
    func send(_ command: RedisCommand) throws(RedisError) -> RedisReply {
        try pipeline([command])[0]
    }

    /// Sends commands back to back and then reads every reply, in order: one round trip.
    func pipeline(_ commands: [RedisCommand]) throws(RedisError) -> [RedisReply] {
        try append(commands)
        return try readReplies(commands.count)
    }

    /// Queues commands in the output buffer; `readReplies` sends them and reads their replies.
    /// A cluster writes to every node first and then reads each, so the nodes work in parallel.
    func append(_ commands: [RedisCommand]) throws(RedisError) {
        guard !isBroken else { throw .connectionLost(endpoint: endpoint.description, message: "connection already broken") }
        for command in commands {
            let status = command.withArgv { argc, argv, argvlen in
                redisAppendCommandArgv(context, argc, argv, argvlen)
            }
            guard status == REDIS_OK else { throw lost() }
        }
    }

    /// Writes what `append` queued to the socket without waiting for replies.
    func flush() throws(RedisError) {
        var done: Int32 = 0
        repeat {
            guard redisBufferWrite(context, &done) == REDIS_OK else { throw lost() }
        } while done == 0
    }

    /// Flushes what `append` queued and reads `count` replies, in order.
    func readReplies(_ count: Int) throws(RedisError) -> [RedisReply] {
        var replies: [RedisReply] = []
        replies.reserveCapacity(count)
        for _ in 0..<count {
            var raw: UnsafeMutableRawPointer?
            guard redisGetReply(context, &raw) == REDIS_OK, let raw else { throw lost() }
            replies.append(Self.decode(raw.assumingMemoryBound(to: redisReply.self)))
            freeReplyObject(raw)
        }
        return replies
    }

    private func lost() -> RedisError {
        isBroken = true
        return .connectionLost(endpoint: endpoint.description, message: Self.errorString(context))
    }

    private static func errorString(_ context: UnsafeMutablePointer<redisContext>) -> String {
        withUnsafeBytes(of: context.pointee.errstr) { raw in
            let bytes = raw.prefix { $0 != 0 }
            return bytes.isEmpty ? "error \(context.pointee.err)" : String(decoding: bytes, as: UTF8.self)
        }
    }

    private static func decode(_ reply: UnsafeMutablePointer<redisReply>) -> RedisReply {
        let r = reply.pointee
        switch r.type {
        case REDIS_REPLY_STRING:
            return .string(r.str == nil ? [] : Array(UnsafeRawBufferPointer(start: r.str, count: r.len)))
        case REDIS_REPLY_STATUS:
            return .status(String(decoding: UnsafeRawBufferPointer(start: r.str, count: r.len), as: UTF8.self))
        case REDIS_REPLY_ERROR:
            return .error(String(decoding: UnsafeRawBufferPointer(start: r.str, count: r.len), as: UTF8.self))
        case REDIS_REPLY_INTEGER:
            return .integer(Int64(r.integer))
        case REDIS_REPLY_ARRAY:
            return .array((0..<r.elements).map { decode(r.element[$0]!) })
        default:
            return .null
        }
    }
}

extension RedisCommand {
    /// Calls `body` with C argv arrays pointing into this command's buffer.
    fileprivate func withArgv<R>(_ body: (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>, UnsafePointer<Int>) -> R) -> R {
        bytes.withUnsafeBufferPointer { buffer in
            let base = UnsafeRawPointer(buffer.baseAddress) ?? UnsafeRawPointer(bitPattern: 1)!
            var pointers: [UnsafePointer<CChar>?] = []
            pointers.reserveCapacity(lengths.count)
            var offset = 0
            for length in lengths {
                pointers.append((base + offset).assumingMemoryBound(to: CChar.self))
                offset += length
            }
            return pointers.withUnsafeMutableBufferPointer { argv in
                lengths.withUnsafeBufferPointer { argvlen in
                    body(Int32(lengths.count), argv.baseAddress!, argvlen.baseAddress!)
                }
            }
        }
    }
}

extension timeval {
    fileprivate init(seconds: Double) {
        let whole = seconds.rounded(.down)
        self.init(tv_sec: Int(whole), tv_usec: Int((seconds - whole) * 1_000_000))
    }
}
