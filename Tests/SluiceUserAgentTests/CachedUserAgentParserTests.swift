import Testing

@testable import SluiceUserAgent

/// The LRU cache: eviction order, the capacity bound, hit and miss counting.
@Suite("CachedUserAgentParser")
struct CachedUserAgentParserTests {
    static func info(_ browser: String) -> DeviceInfo { DeviceInfo(type: .desktop, browser: browser) }

    @Test func evictsLeastRecentlyUsed() {
        var lru = LRUState(capacity: 3)
        lru.insert("a", Self.info("a"))
        lru.insert("b", Self.info("b"))
        lru.insert("c", Self.info("c"))
        #expect(lru.keysByRecency == ["c", "b", "a"])

        // Reading "a" makes "b" the oldest, so "d" evicts "b".
        #expect(lru.lookUp("a") == Self.info("a"))
        lru.insert("d", Self.info("d"))
        #expect(lru.keysByRecency == ["d", "a", "c"])
        #expect(lru.lookUp("b") == nil)

        // Re-inserting an existing key refreshes it instead of growing.
        lru.insert("c", Self.info("c2"))
        #expect(lru.keysByRecency == ["c", "d", "a"])
        #expect(lru.lookUp("c") == Self.info("c2"))
        #expect(lru.count == 3)
    }

    @Test func neverExceedsCapacity() {
        var lru = LRUState(capacity: 5)
        for index in 0..<100 { lru.insert("ua-\(index)", Self.info("\(index)")) }
        #expect(lru.count == 5)
        #expect(lru.keysByRecency == (95..<100).reversed().map { "ua-\($0)" })
    }

    @Test func capacityOfOneAndZero() {
        var one = LRUState(capacity: 1)
        one.insert("a", Self.info("a"))
        one.insert("b", Self.info("b"))
        #expect(one.keysByRecency == ["b"])

        var zero = LRUState(capacity: 0)
        zero.insert("a", Self.info("a"))
        #expect(zero.count == 0)
        #expect(zero.lookUp("a") == nil)
    }

    @Test func countsHitsAndMisses() throws {
        let cache = CachedUserAgentParser(parser: try SharedParser.get(), capacity: 2)
        let chrome =
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"
        let iPhone =
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"

        let first = cache.device(chrome)
        #expect(first.type == .desktop)
        #expect(cache.device(chrome) == first)
        #expect(cache.device(iPhone).type == .mobile)
        #expect(cache.device("curl/8.5.0").type == .bot)  // evicts chrome
        #expect(cache.device(chrome) == first)  // a miss again, same answer

        #expect(cache.statistics == .init(hits: 1, misses: 4, count: 2, capacity: 2))
    }

    @Test func sharedAcrossTasks() async throws {
        let cache = CachedUserAgentParser(parser: try SharedParser.get(), capacity: 8)
        let agents = (0..<16).map { "Mozilla/5.0 (X11; Linux x86_64; rv:\($0).0) Gecko/20100101 Firefox/\($0).0" }
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<4 {
                group.addTask {
                    for round in 0..<50 { _ = cache.device(agents[(worker + round) % agents.count]) }
                }
            }
        }
        let statistics = cache.statistics
        #expect(statistics.hits + statistics.misses == 200)
        #expect(statistics.count <= 8)
    }
}
