import Foundation
import SluiceWorker

// `make bench-enrichment`: the worker's enrichment step on uap-core's own test user
// agents, replayed with a skewed popularity; prints µs/event and cold parse time,
// then the roll-up maintenance of the same events (CPU µs/event; `make bench` reads it).

let testFiles = ["/usr/share/uap-core/tests/test_ua.yaml", "/usr/share/uap-core/tests/test_os.yaml"]
var agents: [String] = []
for path in testFiles {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
        FileHandle.standardError.write(Data("cannot read \(path): install Debian's uap-core\n".utf8))
        exit(1)
    }
    for line in text.split(separator: "\n") {
        guard let range = line.range(of: "user_agent_string: ") else { continue }
        var value = String(line[range.upperBound...])
        if value.hasPrefix("'") && value.hasSuffix("'") {
            value = String(value.dropFirst().dropLast()).replacingOccurrences(of: "''", with: "'")
        } else if value.hasPrefix("\"") && value.hasSuffix("\"") {
            value = String(value.dropFirst().dropLast())
        }
        agents.append(value)
    }
}
var seen = Set<String>()
agents = agents.filter { seen.insert($0).inserted }

let events = Int(CommandLine.arguments.dropFirst().first ?? "") ?? agents.count * 20
let benchmark = try EnrichmentBenchmark()
_ = benchmark.run(userAgents: agents, events: min(events, 5000))  // warm-up
let result = benchmark.run(userAgents: agents, events: events)
let cpu =
    (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?.split(separator: "\n").first { $0.hasPrefix("model name") }
    .map { $0.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "" } ?? "unknown CPU"
print(
    """
    enrichment benchmark (\(cpu), \(ProcessInfo.processInfo.activeProcessorCount) cores)
      events enriched:          \(result.events)
      distinct user agents:     \(result.distinctUserAgents) (uap-core test_ua + test_os, Zipf popularity)
      cache hit ratio:          \(String(format: "%.1f%%", result.cacheHitRatio * 100))
      µs per event (amortised): \(String(format: "%.2f", result.microsecondsPerEvent))   target ≤ 5
      µs per cold parse:        \(String(format: "%.1f", result.coldParseMicroseconds)) (median)   target ≤ 100
      roll-up maintenance µs/event: \(String(format: "%.2f", result.rollupMicrosecondsPerEvent)) CPU (batches of \(result.rollupBatchSize)), median of \(result.rollupPasses) passes   target ≤ 5
      the same with funnels:    \(String(format: "%.2f", result.rollupWithFunnelsMicrosecondsPerEvent)) CPU µs/event (SLUICE_FUNNELS="\(EnrichmentBenchmark.funnels.summary)")
    """)
