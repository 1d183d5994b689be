import Hummingbird
import HummingbirdTesting
import SluiceCore
import Testing

@testable import SluiceDashboard

/// With `SLUICE_ADMIN_TOKEN` set every route but the login and `/current` needs the token
/// or the login cookie; without it the dashboard is open, on loopback only.
@Suite struct AccessTests {
    static let protectedAPI = [
        "/api/analytics/analytics/realtime", "/api/analytics/analytics/visitor/v1", "/api/analytics/analytics/session/s1", "/healthz",
    ]

    @Test func everyProtectedRouteRefusesAnAnonymousCaller() async throws {
        try await DashboardTestBed.run { bed in
            for uri in Self.protectedAPI {
                let response = try await bed.send(.get, uri)
                #expect(response.status == .unauthorized, "\(uri)")
                let body = try DashboardTestBed.object(response)
                #expect(body["error"] == .string("unauthorized"), "\(uri)")
                #expect(body["details"]?.items?.first?.objectValue?["field"] == .string("authorization"), "\(uri)")
                #expect(try await bed.send(.get, uri, bearer: "wrong-token-0123456789").status == .unauthorized, "\(uri)")
                #expect(
                    try await bed.send(.get, uri, cookie: "sluice_dashboard=\(DashboardTestBed.token)").status == .unauthorized,
                    "the token is not a cookie value: \(uri)")
            }
            for (method, uri) in [(HTTPRequest.Method.get, "/"), (.post, "/logout")] {
                let page = try await bed.send(method, uri)
                #expect(page.status == .seeOther, "\(uri)")
                #expect(page.headers[.location] == "/login", "\(uri)")
            }
            #expect(try await bed.send(.get, "/login").status == .ok)
            let current = try await bed.send(.get, "/api/analytics/analytics/current")
            #expect(current.status == .ok, "a visitor's own ids are asked by their browser")
            #expect(try DashboardTestBed.object(current)["visitorId"] == .null)
        }
    }

    @Test func theBearerTokenOpensEveryProtectedRoute() async throws {
        try await DashboardTestBed.run { bed in
            try bed.insert(StoreCollection.visitors, [#"{"_id": "v1"}"#])
            try bed.insert(StoreCollection.sessions, [#"{"_id": "s1", "visitorId": "v1", "startTime": \#(DashboardTestBed.date("2026-01-01T10:00:00Z"))}"#])
            for uri in Self.protectedAPI {
                #expect(try await bed.send(.get, uri, bearer: DashboardTestBed.token).status == .ok, "\(uri)")
            }
            #expect(try await bed.send(.get, "/", bearer: DashboardTestBed.token).status == .ok)
        }
    }

    @Test func aWrongTokenShowsTheFormAgainAndTheRightOneSetsALoginCookie() async throws {
        try await DashboardTestBed.run { bed in
            let wrong = try await bed.send(.post, "/login", form: "token=not-the-token-at-all")
            #expect(wrong.status == .unauthorized)
            #expect(String(buffer: wrong.body).contains(#"<form method="post" action="/login">"#))
            #expect(wrong.headers[.setCookie] == nil)
            #expect(try await bed.send(.post, "/login", form: "other=1").status == .unauthorized)

            let encoded = DashboardTestBed.token.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let right = try await bed.send(.post, "/login", form: "token=\(encoded)")
            #expect(right.status == .seeOther)
            #expect(right.headers[.location] == "/")
            let setCookie = try #require(right.headers[.setCookie])
            let attributes = setCookie.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            #expect(attributes.contains("HttpOnly"))
            #expect(attributes.contains("SameSite=Strict"))
            #expect(attributes.contains("Path=/"))
            #expect(attributes.contains("Max-Age=\(LoginSessions.lifetimeSeconds)"))
            let pair = try #require(attributes.first)
            #expect(pair.hasPrefix("sluice_dashboard="))
            #expect(!pair.contains(DashboardTestBed.token), "the cookie is not the token")

            for uri in Self.protectedAPI {
                #expect(try await bed.send(.get, uri, cookie: pair).status != .unauthorized, "\(uri)")
            }
            let index = try await bed.send(.get, "/", cookie: pair)
            #expect(index.status == .ok)
            #expect(index.headers[.contentSecurityPolicy] == "frame-ancestors 'none'", "pages are never framed by another site")

            let logout = try await bed.send(.post, "/logout", cookie: pair)
            #expect(logout.status == .seeOther)
            #expect(logout.headers[.setCookie]?.contains("Max-Age=0") == true)
            #expect(try await bed.send(.get, "/healthz", cookie: pair).status == .unauthorized, "a logout revokes the cookie")
        }
    }

    @Test func withoutATokenTheDashboardIsOpenOnLoopbackOnly() async throws {
        try await DashboardTestBed.run(token: nil) { (bed: DashboardTestBed) async throws in
            #expect(try await bed.send(.get, "/api/analytics/analytics/realtime").status == .ok)
            #expect(try await bed.send(.get, "/").status == .ok)
            #expect(try await bed.send(.get, "/healthz").status == .ok)
        }
        let open = try DashboardConfiguration(settings: Settings(environment: [:]))
        #expect(open.listenHost == "127.0.0.1")
        #expect(throws: ConfigurationError.self) {
            try DashboardConfiguration(settings: Settings(environment: ["SLUICE_DASHBOARD_HOST": "0.0.0.0"]))
        }
        let locked = try DashboardConfiguration(
            settings: Settings(environment: ["SLUICE_DASHBOARD_HOST": "0.0.0.0", "SLUICE_ADMIN_TOKEN": DashboardTestBed.token]))
        #expect(locked.listenHost == "0.0.0.0")
        #expect(locked.summary.first { $0.0 == "SLUICE_ADMIN_TOKEN" }?.1 == "****")
        #expect(throws: ConfigurationError.self) { try DashboardConfiguration(settings: Settings(environment: ["SLUICE_ADMIN_TOKEN": "short"])) }
    }
}
