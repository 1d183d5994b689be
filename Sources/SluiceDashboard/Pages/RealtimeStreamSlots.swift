import Synchronization

/// The bound on concurrent real-time streams: each holds a connection and reads Redis
/// every few seconds for as long as its page stays open.
final class RealtimeStreamSlots: Sendable {
    /// The most streams open at once.
    let limit: Int
    private let open = Mutex(0)

    /// Slots for at most `limit` streams at once.
    init(limit: Int) {
        self.limit = limit
    }

    /// Takes a slot; false when all `limit` are taken.
    func take() -> Bool {
        open.withLock { count in
            guard count < limit else { return false }
            count += 1
            return true
        }
    }

    /// Gives back a slot `take` handed out.
    func giveBack() {
        open.withLock { $0 -= 1 }
    }

    /// Streams open now.
    var count: Int { open.withLock { $0 } }
}
