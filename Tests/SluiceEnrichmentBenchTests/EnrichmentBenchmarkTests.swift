import Foundation
import SluiceCore
import SluiceUserAgent
import SluiceWorker
import Testing

@testable import sluice_enrichment_bench

/// The roll-up maintenance figure of `sluice-enrichment-bench` (read by `make bench`).
@Suite struct EnrichmentBenchmarkTests {
    static let browser = "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0"
    static let crawler = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"

    @Test func reportsRollupCPUPerEventInTheBenchsBatches() throws {
        let result = try EnrichmentBenchmark().run(userAgents: [Self.browser, Self.crawler], events: 3000)
        #expect(result.events == 3000)
        #expect(result.rollupBatchSize == 2000)
        #expect(result.rollupMicrosecondsPerEvent > 0 && result.rollupMicrosecondsPerEvent.isFinite)
    }

    @Test func buildsEachBatchsChangesApart() throws {
        let enricher = EventEnricher(userAgents: CachedUserAgentParser(parser: try UserAgentParser()), maxEventAgeMilliseconds: 7 * 86_400_000)
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let bodies = [
            #"{"id":"a","type":"pageview","visitorId":"v1","timestamp":\#(now - 3000),"url":"https://shop.example/"}"#,
            #"{"id":"b","type":"pageview","visitorId":"v1","timestamp":\#(now - 2000),"url":"https://shop.example/pricing"}"#,
            #"{"id":"c","type":"event","visitorId":"v2","timestamp":\#(now - 1000),"eventType":"ui","eventName":"click"}"#,
        ]
        var events: [EnrichedEvent] = []
        for (n, json) in bodies.enumerated() {
            let message = StreamMessage(
                stream: StreamLayout.streamKey(partition: 0), id: "0-\(n)",
                fields: [StreamLayout.versionField: Array(StreamLayout.schemaVersion.utf8), StreamLayout.eventField: Array(json.utf8)])
            events.append(enricher.enrich(try DecodedEvent.decode(message).get()))
        }
        let together = EnrichmentBenchmark.rollupMaintenance(events, batchSize: 2000)
        let apart = EnrichmentBenchmark.rollupMaintenance(events, batchSize: 1)
        // One batch: each visitor and session once, each bucket once per partition.
        // One event per batch: v1 and its session twice, the buckets three times.
        #expect(together.operations > 0)
        #expect(apart.operations > together.operations)
        #expect(together.cpuMicroseconds >= 0)
    }
}
