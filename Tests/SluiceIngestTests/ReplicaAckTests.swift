import HTTPTypes
import HummingbirdTesting
import SluiceCore
import SluiceIngest
import SluiceRedis
import Testing

/// `SLUICE_REPLICA_ACKS` against a real master and replica: a 202 means the replica
/// has the entries; without enough replicas every request is a 503 with Retry-After,
/// and one `WAIT` covers a whole group-commit flush.
@Suite struct ReplicaAckTests {
    /// Ingest on `pair`'s master with `settings` over the defaults.
    private static func bed(_ pair: RedisReplicaPair, _ settings: [String: String]) throws -> IngestTestBed {
        let environment = ["SLUICE_REDIS_URL": pair.masterURL, "SLUICE_PARTITIONS": String(IngestTestBed.partitions)].merging(settings) { $1 }
        return IngestTestBed(configuration: try IngestConfiguration(settings: Settings(environment: environment)), databaseURL: pair.masterURL)
    }

    private static let event = #"{"eventType":"t","eventName":"n","id":"%@"}"#

    @Test func aReplicaHasTheEntriesOfEvery202AndWithoutItRequestsAre503() async throws {
        let pair = try await RedisReplicaPair()
        let bed = try Self.bed(pair, ["SLUICE_REPLICA_ACKS": "1", "SLUICE_REPLICA_ACK_TIMEOUT_MS": "500"])
        let replicaView = IngestTestBed(configuration: bed.configuration, databaseURL: pair.replicaURL)
        // A visitor cookie charges the visitor's bucket: the append goes through the rate-limit script.
        let visitor: HTTPFields = [.cookie: "sluice_visitor=v-replicated"]
        let batch = #"{"batch":[{"type":"event","eventType":"t","eventName":"n","id":"r1"},{"type":"event","eventType":"t","eventName":"n","id":"r2"}]}"#
        let (accepted, onReplica, refused, waited, ready, metrics) = try await bed.test { client in
            let accepted = try await client.post("batch", batch, headers: visitor)
            // Read at once, not eventually: the 202 came only after the replica confirmed.
            let onReplica = try replicaView.entries().compactMap { $0.string("id") }.sorted()
            try await pair.stopReplica()
            let started = ContinuousClock.now
            let refused = try await client.post("track/event", #"{"eventType":"t","eventName":"n","id":"unconfirmed"}"#, headers: visitor)
            let waited = ContinuousClock.now - started
            return (
                accepted, onReplica, refused, waited, try await client.execute(uri: "/readyz", method: .get),
                String(buffer: try await client.execute(uri: "/metrics", method: .get).body)
            )
        }
        #expect(accepted.status == .accepted && onReplica == ["r1", "r2"], "\(accepted.status) \(onReplica)")
        #expect(refused.status == .serviceUnavailable && refused.json?["error"]?.stringValue == "unavailable")
        #expect(refused.problems.first?.problem.contains("replicas") == true, "\(refused.problems)")
        #expect(refused.headers[.retryAfter].flatMap(Int.init).map { $0 >= 1 } == true)
        #expect(waited >= .milliseconds(450), "the refusal came after WAIT's 500 ms, not before: \(waited)")
        // The master has the refused entry: the sender's retry is stored once, by its id.
        #expect(try bed.entries().compactMap { $0.string("id") }.sorted() == ["r1", "r2", "unconfirmed"])
        #expect(ready.status == .ok, "readiness pings need no replica and do not wait")
        #expect(metrics.contains("sluice_ingest_replica_ack_failures_total 1"), "\(metrics)")
    }

    @Test func oneWaitCoversEveryRequestOfAFlushAndTwoRequiredOfOneIsAlways503() async throws {
        let pair = try await RedisReplicaPair()
        let unlimited = ["SLUICE_RATE_LIMIT_ADDRESS": "off", "SLUICE_RATE_LIMIT_VISITOR": "off", "SLUICE_RATE_LIMIT_SERVER": "off"]
        let bed = try Self.bed(pair, unlimited.merging(["SLUICE_REPLICA_ACKS": "2", "SLUICE_REPLICA_ACK_TIMEOUT_MS": "400"]) { $1 })
        let requests = 12
        let statuses = try await bed.test { client in
            try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for index in 0..<requests {
                    group.addTask { try await client.post("track/event", Self.event.replacingOccurrences(of: "%@", with: "e\(index)")).status }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
        }
        #expect(statuses.count == requests && statuses.allSatisfy { $0 == .serviceUnavailable }, "\(statuses)")
        // While the first flush waits out its 400 ms, the others queue and share the next WAIT.
        let stats = try RedisConnection(endpoint: RedisEndpoint(url: pair.masterURL)).run(RedisCommand("INFO", "commandstats")).text ?? ""
        let waits = stats.split(separator: "\r\n").first { $0.hasPrefix("cmdstat_wait:") }.flatMap { line in
            line.split(separator: ",").first.flatMap { Int($0.split(separator: "=").last ?? "") }
        }
        #expect(waits.map { $0 >= 1 && $0 <= requests / 3 } == true, "\(requests) requests took \(waits.map(String.init) ?? "no") WAITs")
    }

    @Test func settingsAreCheckedAndSummarised() throws {
        func configuration(_ settings: [String: String]) throws(ConfigurationError) -> IngestConfiguration {
            try IngestConfiguration(settings: Settings(environment: settings))
        }
        #expect(try configuration([:]).replicaAcknowledgement == nil)
        #expect(try configuration(["SLUICE_REPLICA_ACKS": "0", "SLUICE_REPLICA_ACK_TIMEOUT_MS": "50"]).replicaAcknowledgement == nil)
        let two = try configuration(["SLUICE_REPLICA_ACKS": "2", "SLUICE_REPLICA_ACK_TIMEOUT_MS": "250"])
        #expect(two.replicaAcknowledgement == ReplicaAcknowledgement(replicas: 2, timeoutMilliseconds: 250))
        #expect(two.summary.first { $0.0 == "SLUICE_REPLICA_ACKS" }?.1.hasPrefix("2 ") == true)
        #expect(two.summary.first { $0.0 == "SLUICE_REPLICA_ACK_TIMEOUT_MS" }?.1.hasPrefix("250 ") == true)
        #expect(try configuration(["SLUICE_REPLICA_ACKS": "1"]).replicaAcknowledgement?.timeoutMilliseconds == 1000)
        for (variable, value) in [("SLUICE_REPLICA_ACKS", "-1"), ("SLUICE_REPLICA_ACKS", "all"), ("SLUICE_REPLICA_ACK_TIMEOUT_MS", "0")] {
            let error = #expect(throws: ConfigurationError.self) { try configuration(["SLUICE_REPLICA_ACKS": "1"].merging([variable: value]) { $1 }) }
            #expect(error?.variable == variable, "\(variable)=\(value)")
        }
    }
}
