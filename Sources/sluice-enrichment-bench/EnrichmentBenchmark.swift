import FoundationEssentials
import SluiceCore
import SluiceRollups
import SluiceUserAgent
import SluiceWorker

#if canImport(Glibc)
    import Glibc
#endif

/// Measures the worker's enrichment step (device from the user agent through the
/// cache, clock-skew correction, page URL, referrer, campaign and channel) on a
/// realistic mix, with the same code the worker runs, then the roll-up maintenance
/// the worker does for the same events before its acknowledgement script (the
/// `DerivedChanges` of each partition's share of a batch and the script's
/// arguments). Session stitching and the script itself are Redis round trips and
/// are measured by `make bench` instead.
struct EnrichmentBenchmark {
    /// What one run measured.
    struct Result: Sendable {
        /// Events enriched in the timed loop.
        let events: Int
        /// Distinct user agents in the mix.
        let distinctUserAgents: Int
        /// Share of user-agent lookups the cache answered.
        let cacheHitRatio: Double
        /// Amortised cost per event, microseconds.
        let microsecondsPerEvent: Double
        /// Cost of parsing one user agent with an empty cache, microseconds (median over the distinct ones).
        let coldParseMicroseconds: Double
        /// CPU time per event of building the derived changes and the acknowledgement
        /// script's operations, microseconds (this thread's CPU clock).
        let rollupMicrosecondsPerEvent: Double
        /// Events per batch in the roll-up measurement (every partition's share together).
        let rollupBatchSize: Int
        /// Passes over the events in the roll-up measurement (the median is reported).
        let rollupPasses: Int
        /// The same with `funnels` configured (every user event and a few page views reach a step).
        let rollupWithFunnelsMicrosecondsPerEvent: Double
    }

    /// The funnels of the with-funnels measurement: the mix's user events (`ui/click`) are
    /// all a step, and 5 of its 97 pages.
    static let funnels = try! FunnelSettings(parsing: "bench: /p/1 > ui/click > /p/2; pages: /p/3 > /p/4 > /p/5")

    let parser: UserAgentParser

    /// A benchmark with uap-core's rules from `regexesPath`.
    init(regexesPath: String = UserAgentParser.defaultRegexesPath) throws(UserAgentError) {
        parser = try UserAgentParser(regexesPath: regexesPath)
    }

    /// Enriches `events` events whose user agents are drawn from `userAgents` with a
    /// Zipf-like popularity (rank r weighs 1/r), as real traffic repeats a few agents.
    func run(userAgents: [String], events: Int, seed: UInt64 = 42) -> Result {
        var random = SplitMix64(seed: seed)
        let weights = userAgents.indices.map { 1.0 / Double($0 + 1) }
        let total = weights.reduce(0, +)
        var cumulative: [Double] = []
        var sum = 0.0
        for weight in weights {
            sum += weight / total
            cumulative.append(sum)
        }
        func pick() -> String {
            let x = random.nextUnit()
            var low = 0
            var high = cumulative.count - 1
            while low < high {
                let mid = (low + high) / 2
                if cumulative[mid] < x { low = mid + 1 } else { high = mid }
            }
            return userAgents[low]
        }
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let stream = StreamLayout.streamKey(partition: 0)
        let decoded: [DecodedEvent] = (0..<events).compactMap { n in
            let ua = JSONWriter.string(of: .string(pick()))
            let json =
                n % 3 == 0
                ? #"{"id":"e\#(n)","type":"event","visitorId":"v\#(n % 5000)","timestamp":\#(now - 5000),"receivedAt":\#(now),"sentAt":\#(now - 2000),"ua":\#(ua),"eventType":"ui","eventName":"click","context":{"url":"https://shop.example/p/\#(n % 97)","referrer":"https://shop.example/"}}"#
                : #"{"id":"e\#(n)","type":"pageview","visitorId":"v\#(n % 5000)","timestamp":\#(now - 1000),"receivedAt":\#(now),"ua":\#(ua),"url":"https://shop.example/p/\#(n % 97)?utm_source=news&utm_medium=email&utm_campaign=c\#(n % 7)","referrer":"https://www.google.com/search?q=x"}"#
            let message = StreamMessage(
                stream: stream, id: "0-\(n)",
                fields: [StreamLayout.versionField: Array(StreamLayout.schemaVersion.utf8), StreamLayout.eventField: Array(json.utf8)])
            return try? DecodedEvent.decode(message).get()
        }

        let cache = CachedUserAgentParser(parser: parser, capacity: 10_000)
        let enricher = EventEnricher(userAgents: cache, maxEventAgeMilliseconds: 7 * 86_400_000)
        var sink = 0
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            for event in decoded { sink &+= enricher.enrich(event).device?.type.rawValue.count ?? 0 }
        }
        let statistics = cache.statistics

        var cold: [Double] = []
        for agent in Set(userAgents) {
            let start = clock.now
            sink &+= parser.device(agent).type.rawValue.count
            cold.append(Self.microseconds(clock.now - start))
        }
        cold.sort()
        let rollupBatchSize = Self.batchSize * Self.partitions
        let enriched = decoded.map(enricher.enrich)
        let rollup = Self.rollupMaintenance(enriched, batchSize: rollupBatchSize, passes: Self.rollupPasses)
        let withFunnels = Self.rollupMaintenance(enriched, batchSize: rollupBatchSize, passes: Self.rollupPasses, funnels: FunnelMatcher(Self.funnels))
        sink &+= rollup.operations + withFunnels.operations
        precondition(sink >= 0)
        return Result(
            events: decoded.count, distinctUserAgents: Set(userAgents).count,
            cacheHitRatio: Double(statistics.hits) / Double(max(1, statistics.hits + statistics.misses)),
            microsecondsPerEvent: Self.microseconds(elapsed) / Double(max(1, decoded.count)),
            coldParseMicroseconds: cold.isEmpty ? 0 : cold[cold.count / 2],
            rollupMicrosecondsPerEvent: rollup.cpuMicroseconds / Double(max(1, decoded.count)), rollupBatchSize: rollupBatchSize,
            rollupPasses: Self.rollupPasses, rollupWithFunnelsMicrosecondsPerEvent: withFunnels.cpuMicroseconds / Double(max(1, decoded.count)))
    }

    /// `SLUICE_BATCH_SIZE` (entries per partition per read) and partitions, as `make bench` runs the worker.
    static let batchSize = 500
    static let partitions = 4

    /// Passes over the events in the roll-up measurement: the median is reported, so
    /// another process sharing the core for one pass does not move the figure.
    static let rollupPasses = 5

    /// Gives each human event a session as the stitcher would (one per visitor, new on its
    /// first event), then times what the worker does per batch before the acknowledgement
    /// script: per partition, `DerivedChanges.add` of each event and the script's operations.
    /// Returns this thread's CPU time (the median of `passes` passes over all the batches)
    /// and the operations one pass built (so none is optimised away).
    static func rollupMaintenance(
        _ enriched: [EnrichedEvent], batchSize: Int, passes: Int = 1, funnels: FunnelMatcher = FunnelMatcher()
    ) -> (cpuMicroseconds: Double, operations: Int) {
        var seen = Set<String>()
        let events = enriched.map { event -> EnrichedEvent in
            guard !event.isBot, event.session == nil else { return event }
            var stitched = event
            stitched.session = SessionAssignment(sessionId: "s-\(event.visitorId)", isNew: seen.insert(event.visitorId).inserted)
            return stitched
        }
        // The worker reads each partition's stream apart: its shares come split.
        let batches = stride(from: 0, to: events.count, by: batchSize).map { start in
            Dictionary(grouping: events[start..<min(start + batchSize, events.count)]) {
                StreamLayout.partition(visitorId: $0.visitorId, partitions: partitions)
            }
        }
        var times: [Double] = []
        var operations = 0
        for _ in 0..<max(passes, 1) {
            let started = threadCPUMicroseconds()
            operations = pass(over: batches, funnels: funnels)
            times.append(threadCPUMicroseconds() - started)
        }
        return (times.sorted()[times.count / 2], operations)
    }

    /// One pass of the roll-up measurement: each batch's changes and operations, per partition.
    private static func pass(over batches: [[Int: [EnrichedEvent]]], funnels: FunnelMatcher) -> Int {
        let window: Int64 = 172_800_000
        var operations = 0
        for byPartition in batches {
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            for (partition, share) in byPartition {
                var changes = DerivedChanges(partition: partition, rollupWindow: window, now: now, funnels: funnels)
                for event in share { changes.add(event) }
                // What the worker's probe finds: a session opened in an earlier batch is in Redis.
                var seeds = DerivedSeeds()
                seeds.existingSessions = Set(changes.sessions.lazy.filter { !$0.opened }.map(\.id))
                operations += DerivedStepArguments(changes: changes, seeds: seeds, rollupWindow: window, now: now).operations.count
            }
        }
        return operations
    }

    /// CPU time this thread has used, microseconds.
    private static func threadCPUMicroseconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) * 1e6 + Double(time.tv_nsec) / 1e3
    }

    private static func microseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1e6 + Double(duration.components.attoseconds) / 1e12
    }
}
