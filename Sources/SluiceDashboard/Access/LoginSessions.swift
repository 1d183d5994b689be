import FoundationEssentials
import Synchronization

/// The login cookies this process has handed out: random ids with their expiry, kept in
/// memory only. The cookie is never the token itself, a logout revokes it, and a restart
/// logs everyone out (docs/dashboard.md, "Access").
final class LoginSessions: Sendable {
    /// How long a login lasts: a working day.
    static let lifetimeSeconds = 12 * 3600
    /// Logins kept at most; past it the one closest to expiry goes. Only token holders can
    /// log in, so this bounds memory against a script, not against strangers.
    static let capacity = 1000

    private let expiries = Mutex<[String: Int64]>([:])

    /// Opens a login and returns its cookie value: 256 random bits in hex.
    func open(now: Int64 = LoginSessions.now()) -> String {
        var generator = SystemRandomNumberGenerator()
        let id = (0..<4).map { _ in
            let hex = String(generator.next() as UInt64, radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
        expiries.withLock { expiries in
            expiries = expiries.filter { $0.value > now }
            if expiries.count >= Self.capacity, let soonest = expiries.min(by: { $0.value < $1.value }) {
                expiries[soonest.key] = nil
            }
            expiries[id] = now + Int64(Self.lifetimeSeconds) * 1000
        }
        return id
    }

    /// Whether `id` is a login this process opened that has neither expired nor been closed.
    func isOpen(_ id: String, now: Int64 = LoginSessions.now()) -> Bool {
        expiries.withLock { expiries in (expiries[id] ?? 0) > now }
    }

    /// Ends the login `id` (logout).
    func close(_ id: String) {
        _ = expiries.withLock { $0.removeValue(forKey: id) }
    }

    /// Epoch milliseconds now.
    static func now() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}
