import SluiceCore
import SluiceRedis

/// Which dead letters a command acts on: every one, or the ids the operator named.
enum DeadLetterScope: Equatable {
    case all
    /// Named ids, each once, in the order given.
    case ids([String])

    /// Calls `body` with each page of the named letters that exist and whose reason
    /// matches, in the order named, fetching `pageSize` ids at a time; returns the ids
    /// that `fetch` did not find.
    static func forEachPage(
        of ids: [String], pageSize: Int, reason: String?, fetch: ([String]) throws -> [String: DeadLetter], _ body: ([DeadLetter]) throws -> Void
    ) rethrows -> [String] {
        var missing: [String] = []
        for start in stride(from: 0, to: ids.count, by: pageSize) {
            let chunk = Array(ids[start..<min(start + pageSize, ids.count)])
            let found = try fetch(chunk)
            missing += chunk.filter { found[$0] == nil }
            let page = chunk.compactMap { found[$0] }.filter { $0.matches(reason: reason) }
            if !page.isEmpty { try body(page) }
        }
        return missing
    }
}

/// Reads `events:dead` in pages (`COUNT`), so a large queue is never loaded at once.
struct DeadLetterQueue {
    static let key = StreamLayout.deadLetterStream

    let redis: RedisConnection
    /// Entries per XRANGE/XREVRANGE page, and ids per fetch pipeline.
    var pageSize = 500

    /// The number of dead letters (XLEN).
    func length() throws(RedisError) -> Int64 {
        let reply = try redis.run(RedisCommand("XLEN", Self.key))
        guard let length = reply.integer else { throw .unexpectedReply(command: "XLEN", reply: "\(reply)") }
        return length
    }

    /// Up to `limit` letters whose reason matches, newest first.
    func newest(limit: Int, reason: String?) throws(RedisError) -> [DeadLetter] {
        var found: [DeadLetter] = []
        // Without a filter every entry of a page is shown, so one page of `limit` is enough.
        let count = reason == nil ? min(limit, pageSize) : pageSize
        var end = "+"
        while found.count < limit {
            let page = try entries(of: RedisCommand("XREVRANGE", Self.key, end, "-", "COUNT", String(count)))
            found += page.lazy.filter { $0.matches(reason: reason) }.prefix(limit - found.count)
            guard page.count == count, let last = page.last else { break }
            end = "(" + last.id
        }
        return found
    }

    /// The letter with this id, or nil if there is none.
    func letter(id: String) throws(RedisError) -> DeadLetter? {
        try letters(ids: [id])[id]
    }

    /// The letters with these ids that exist, fetched in one pipeline.
    func letters(ids: [String]) throws(RedisError) -> [String: DeadLetter] {
        let replies = try redis.pipeline(ids.map { RedisCommand("XRANGE", Self.key, $0, $0) })
        var found: [String: DeadLetter] = [:]
        for reply in replies {
            for letter in try Self.letters(in: reply, command: "XRANGE") { found[letter.id] = letter }
        }
        return found
    }

    /// Calls `body` with each page of the scope's letters whose reason matches, oldest
    /// first, and returns the named ids that do not exist.
    ///
    /// `.all` stops at the newest entry there was when the walk began, so letters
    /// dead-lettered meanwhile are not acted on without having been counted.
    @discardableResult
    func forEachPage(_ scope: DeadLetterScope, reason: String?, _ body: ([DeadLetter]) throws -> Void) throws -> [String] {
        switch scope {
        case .ids(let ids):
            return try DeadLetterScope.forEachPage(
                of: ids, pageSize: pageSize, reason: reason, fetch: { (chunk) throws(RedisError) in try letters(ids: chunk) }, body)
        case .all:
            guard let newest = try entries(of: RedisCommand("XREVRANGE", Self.key, "+", "-", "COUNT", "1")).first else { return [] }
            var start = "-"
            while true {
                let page = try entries(of: RedisCommand("XRANGE", Self.key, start, newest.id, "COUNT", String(pageSize)))
                let matching = page.filter { $0.matches(reason: reason) }
                if !matching.isEmpty { try body(matching) }
                guard page.count == pageSize, let last = page.last, last.id != newest.id else { return [] }
                start = "(" + last.id
            }
        }
    }

    private func entries(of command: RedisCommand) throws(RedisError) -> [DeadLetter] {
        try Self.letters(in: redis.run(command), command: command.name)
    }

    private static func letters(in reply: RedisReply, command: String) throws(RedisError) -> [DeadLetter] {
        if let message = reply.errorMessage { throw .commandFailed(command: "\(command) \(key)", message: message) }
        return try StreamEntryReply.entries(in: reply, command: command).map(DeadLetter.init(entry:))
    }
}
