/// The mutable part of `CachedUserAgentParser`: a dictionary into a doubly linked list
/// kept in arrays (slot indices instead of node objects), most recently used at the head.
///
/// Not thread-safe by itself; `CachedUserAgentParser` keeps it inside a `Mutex`.
struct LRUState {
    private struct Entry {
        var key: String
        var value: DeviceInfo
        var previous: Int
        var next: Int
    }

    let capacity: Int
    private(set) var hits = 0
    private(set) var misses = 0
    private var slots: [String: Int] = [:]
    private var entries: [Entry] = []
    /// Most recently used slot, or -1 when empty.
    private var head = -1
    /// Least recently used slot, the next to evict, or -1 when empty.
    private var tail = -1

    var count: Int { entries.count }

    init(capacity: Int) {
        self.capacity = capacity
        slots.reserveCapacity(min(capacity, 1 << 16))
    }

    /// The cached value, promoted to most recently used; counts a hit or a miss.
    mutating func lookUp(_ key: String) -> DeviceInfo? {
        guard let slot = slots[key] else {
            misses += 1
            return nil
        }
        hits += 1
        moveToHead(slot)
        return entries[slot].value
    }

    /// Stores `value` as most recently used, evicting the least recently used at capacity.
    mutating func insert(_ key: String, _ value: DeviceInfo) {
        guard capacity > 0 else { return }
        if let slot = slots[key] {
            entries[slot].value = value
            moveToHead(slot)
            return
        }
        let slot: Int
        if entries.count < capacity {
            slot = entries.count
            entries.append(Entry(key: key, value: value, previous: -1, next: -1))
        } else {
            // Reuse the evicted entry's slot for the new one.
            slot = tail
            unlink(slot)
            slots[entries[slot].key] = nil
            entries[slot] = Entry(key: key, value: value, previous: -1, next: -1)
        }
        slots[key] = slot
        linkAtHead(slot)
    }

    /// Keys from most to least recently used (for tests).
    var keysByRecency: [String] {
        var keys: [String] = []
        var slot = head
        while slot >= 0 {
            keys.append(entries[slot].key)
            slot = entries[slot].next
        }
        return keys
    }

    private mutating func moveToHead(_ slot: Int) {
        guard slot != head else { return }
        unlink(slot)
        linkAtHead(slot)
    }

    private mutating func unlink(_ slot: Int) {
        let previous = entries[slot].previous
        let next = entries[slot].next
        if previous >= 0 { entries[previous].next = next } else { head = next }
        if next >= 0 { entries[next].previous = previous } else { tail = previous }
        entries[slot].previous = -1
        entries[slot].next = -1
    }

    private mutating func linkAtHead(_ slot: Int) {
        entries[slot].next = head
        entries[slot].previous = -1
        if head >= 0 { entries[head].previous = slot }
        head = slot
        if tail < 0 { tail = slot }
    }
}
