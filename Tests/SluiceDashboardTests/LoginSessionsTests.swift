import Testing

@testable import SluiceDashboard

/// Logins kept in memory: random ids that expire, can be closed, and are bounded in number.
@Suite struct LoginSessionsTests {
    static let start: Int64 = 1_767_225_600_000
    static let lifetime = Int64(LoginSessions.lifetimeSeconds) * 1000

    @Test func aLoginIsOpenUntilItExpiresOrIsClosed() {
        let logins = LoginSessions()
        let id = logins.open(now: Self.start)
        #expect(id.count == 64 && id.allSatisfy(\.isHexDigit))
        #expect(logins.open(now: Self.start) != id)
        #expect(logins.isOpen(id, now: Self.start + Self.lifetime - 1))
        #expect(!logins.isOpen(id, now: Self.start + Self.lifetime))
        #expect(!logins.isOpen("0123", now: Self.start))
        logins.close(id)
        #expect(!logins.isOpen(id, now: Self.start))
    }

    @Test func pastCapacityTheLoginNearestToExpiryGoes() {
        let logins = LoginSessions()
        let first = logins.open(now: Self.start)
        let rest = (1...LoginSessions.capacity).map { logins.open(now: Self.start + Int64($0)) }
        #expect(!logins.isOpen(first, now: Self.start + 1))
        #expect(rest.allSatisfy { logins.isOpen($0, now: Self.start + 1) })
    }
}
