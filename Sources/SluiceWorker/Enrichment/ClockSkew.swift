/// Event time corrected for client clocks (the Segment/Snowplow rule).
///
/// With `sentAt`, the client's clock offset is `sentAt − receivedAt`, so the
/// event happened at `receivedAt − (sentAt − timestamp)`. A time still in the
/// future is clamped to `receivedAt`. An event older than `maxAge` is kept
/// but flagged `late`, so dashboards can tell a replayed backlog from traffic.
struct ClockSkew: Sendable, Equatable {
    /// The corrected event time, epoch milliseconds.
    let timestamp: Int64
    /// Whether the time differs from what the client sent.
    let adjusted: Bool
    /// Whether the event is older than the allowed age on arrival.
    let late: Bool

    /// Corrects `timestamp` using `sentAt` and `receivedAt` (all epoch ms).
    init(timestamp: Int64, sentAt: Int64?, receivedAt: Int64, maxAgeMilliseconds: Int64) {
        var corrected = timestamp
        if let sentAt { corrected = receivedAt - (sentAt - timestamp) }
        if corrected > receivedAt { corrected = receivedAt }
        self.timestamp = corrected
        adjusted = corrected != timestamp
        late = receivedAt - corrected > maxAgeMilliseconds
    }
}
