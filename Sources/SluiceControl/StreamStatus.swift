import SluiceCore
import SluiceRedis

/// The state of one partition stream and its consumer group.
struct StreamStatus {
    let stream: String
    /// The Redis server holding the stream (`host:port`): on a cluster, its slot's master.
    let node: String
    let length: Int64
    /// Nil when the group does not exist yet (no worker has started).
    let pending: Int64?
    let lag: Int64?
    let consumers: [StreamConsumerInfo]

    /// Reads every partition in one pipeline per command kind.
    static func read(from redis: RedisConnection, partitions: Int) throws(RedisError) -> [StreamStatus] {
        let streams = StreamLayout.streamKeys(partitions: partitions)
        let lengths = try redis.pipeline(streams.map { RedisCommand("XLEN", $0) })
        let groups = try redis.pipeline(streams.map { StreamGroupInfo.command(stream: $0) })
        let consumers = try redis.pipeline(streams.map { StreamConsumerInfo.command(stream: $0) })
        return streams.indices.map { index in
            let group = StreamGroupInfo.workers(in: groups[index])
            return StreamStatus(
                stream: streams[index],
                node: redis.address(servingKey: streams[index]).description,
                length: lengths[index].integer ?? 0,
                pending: group?.pending,
                lag: group?.lag,
                consumers: StreamConsumerInfo.consumers(in: consumers[index]))
        }
    }

    static func table(_ report: [StreamStatus]) -> String {
        var rows = [["STREAM", "NODE", "LENGTH", "PENDING", "LAG", "CONSUMERS"]]
        for status in report {
            let consumers = status.consumers.map { "\(Terminal.escaped($0.name)) (pending \($0.pending), idle \(formatIdle($0.idleMilliseconds)))" }
            rows.append([
                status.stream, Terminal.escaped(status.node), String(status.length), status.pending.map(String.init) ?? "no group",
                status.lag.map(String.init) ?? "", consumers.isEmpty ? "-" : consumers.joined(separator: ", "),
            ])
        }
        rows.append([
            "total", "", String(report.reduce(0) { $0 + $1.length }), String(report.reduce(0) { $0 + ($1.pending ?? 0) }),
            report.contains { $0.lag == nil } ? "" : String(report.reduce(0) { $0 + ($1.lag ?? 0) }), "",
        ])
        let widths = (0..<6).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { column, cell in
                column == 5 ? cell : cell + String(repeating: " ", count: widths[column] - cell.count)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }

    static func json(_ report: [StreamStatus]) -> String {
        func optional(_ value: Int64?) -> JSONValue { value.map { .int($0) } ?? .null }
        let streams: [JSONValue] = report.map { status in
            .object(
                JSONObject([
                    ("stream", .string(status.stream)), ("node", .string(status.node)), ("length", .int(status.length)),
                    ("pending", optional(status.pending)), ("lag", optional(status.lag)),
                    (
                        "consumers",
                        .array(
                            status.consumers.map {
                                .object(JSONObject([("name", .string($0.name)), ("pending", .int($0.pending)), ("idleMs", .int($0.idleMilliseconds))]))
                            })
                    ),
                ]))
        }
        return Terminal.escaped(JSONWriter.string(of: .object(JSONObject([("streams", .array(streams))]))))
    }

    private static func formatIdle(_ milliseconds: Int64) -> String {
        milliseconds < 1000 ? "\(milliseconds)ms" : milliseconds < 120_000 ? "\(milliseconds / 1000)s" : "\(milliseconds / 60_000)m"
    }
}
