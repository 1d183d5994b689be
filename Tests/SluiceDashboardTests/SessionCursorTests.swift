import Testing

@testable import SluiceDashboard

/// The visitor route's paging cursor: opaque, and refused when it is not one the route made.
@Suite struct SessionCursorTests {
    @Test func aCursorReadsBackAsTheSessionItEndedAt() throws {
        let cursor = SessionCursor(startTime: 1_764_633_600_123, id: "session/with+odd=chars")
        #expect(!cursor.token.contains("session"), "the token is opaque")
        #expect(!cursor.token.contains("=") && !cursor.token.contains("/") && !cursor.token.contains("+"), "URL-safe without escaping")
        #expect(SessionCursor(token: cursor.token) == cursor)
    }

    @Test(arguments: ["", "not base64!", "bm8gbmV3bGluZQ", "eHl6CmlkLTE", "MTIzCg"])
    func aMalformedCursorIsRefused(token: String) {
        // "no newline", "xyz\nid-1" (no time), "123\n" (no id)
        #expect(SessionCursor(token: token) == nil)
    }
}
