import SluiceRollups

/// The roll-up changes of one partition's share of a batch: each event is counted
/// once, in its hour, and each day's changes are the sum of its hours', made once
/// per batch (`changes`), so an event costs one delta and one visitor set, not two.
struct DerivedBuckets {
    /// One hour's counts and human visitors. An hour already closed is kept while its
    /// day is open: its counts go to the day only.
    struct Hour {
        let bucket: RollupBucket
        let isOpen: Bool
        var delta = RollupDelta()
        var visitors: Set<String> = []
    }

    /// One bucket's changes, as the acknowledgement script's `B` operation sends them.
    struct Change {
        let bucket: RollupBucket
        var delta: RollupDelta
        var visitors: Set<String>
    }

    let now: Int64
    let rollupWindow: Int64
    /// Hours in first-counted order.
    private(set) var hours: [Hour] = []
    private var slots: [RollupBucket: Int] = [:]
    /// The hour counted last: most events of a batch fall in the same one.
    private var lastSlot = -1

    init(now: Int64, rollupWindow: Int64) {
        self.now = now
        self.rollupWindow = rollupWindow
    }

    /// Counts what `facts` adds, and `visitor` (a human's id) as one of its hour's
    /// visitors. Returns how many of the event's hour and day are open (0, 1 or 2).
    @discardableResult
    mutating func add(_ facts: EventFacts, visitor: String?) -> Int {
        let hour = RollupBucket(site: facts.site, granularity: .hour, containing: facts.timestamp)
        let hourOpen = hour.isOpen(now: now, window: rollupWindow)
        let dayOpen = RollupBucket(site: facts.site, granularity: .day, containing: facts.timestamp).isOpen(now: now, window: rollupWindow)
        let open = (hourOpen ? 1 : 0) + (dayOpen ? 1 : 0)
        // Feedback and engagement updates count nothing here (feedback is counted in the script).
        guard dayOpen, !facts.isEngagementUpdate, facts.kind != .feedback else { return open }
        let slot = self.slot(of: hour, isOpen: hourOpen)
        RollupContribution.add(facts, to: &hours[slot].delta)
        if let visitor { hours[slot].visitors.insert(visitor) }
        return open
    }

    private mutating func slot(of hour: RollupBucket, isOpen: Bool) -> Int {
        if lastSlot >= 0, hours[lastSlot].bucket == hour { return lastSlot }
        if let known = slots[hour] {
            lastSlot = known
            return known
        }
        lastSlot = hours.count
        slots[hour] = lastSlot
        hours.append(Hour(bucket: hour, isOpen: isOpen))
        return lastSlot
    }

    /// Every open hour's changes, then every day's: the sum of its hours' (a day of
    /// one hour shares that hour's delta and visitors, copying nothing).
    var changes: [Change] {
        var out: [Change] = []
        out.reserveCapacity(hours.count * 2)
        for hour in hours where hour.isOpen { out.append(Change(bucket: hour.bucket, delta: hour.delta, visitors: hour.visitors)) }
        var days: [RollupBucket: Int] = [:]
        for hour in hours {
            let day = RollupBucket(site: hour.bucket.site, granularity: .day, containing: hour.bucket.start)
            if let slot = days[day] {
                out[slot].delta.add(hour.delta)
                out[slot].visitors.formUnion(hour.visitors)
            } else {
                days[day] = out.count
                out.append(Change(bucket: day, delta: hour.delta, visitors: hour.visitors))
            }
        }
        return out
    }
}
