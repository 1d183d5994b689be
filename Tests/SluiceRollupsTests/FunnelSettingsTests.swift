import SluiceCore
import Testing

@testable import SluiceRollups

/// `SLUICE_FUNNELS`: what it accepts, what it refuses (naming the funnel and step), and
/// which events reach which steps.
@Suite struct FunnelSettingsTests {
    @Test func parsesFunnelsOfPagesAndUserEvents() throws {
        let settings = try FunnelSettings(parsing: " checkout: /pricing > auth/signup > payment/succeeded ; onboarding:/welcome/>/setup; ")
        #expect(settings.funnels.map(\.name) == ["checkout", "onboarding"])
        #expect(settings.funnels[0].steps == [.page(path: "/pricing"), .event(type: "auth", name: "signup"), .event(type: "payment", name: "succeeded")])
        #expect(settings.funnels[1].steps == [.page(path: "/welcome"), .page(path: "/setup")])
        #expect(settings.summary == "checkout: /pricing > auth/signup > payment/succeeded; onboarding: /welcome > /setup")
        #expect(try FunnelSettings(parsing: "").funnels.isEmpty)
        #expect(try FunnelSettings(settings: Settings(environment: [:])).summary == "(unset: no funnels)")
        // A name is split from the type at the first slash only.
        #expect(try FunnelSettings(parsing: "f: /a > docs/open/pdf").funnels[0].steps[1] == .event(type: "docs", name: "open/pdf"))
    }

    @Test(arguments: [
        ("checkout /pricing > /paid", FunnelSettingsError(funnel: "#1", "\"checkout /pricing > /paid\" has no name: write name: step > step")),
        ("Checkout: /a > /b", FunnelSettingsError(funnel: "Checkout", "a name is 1 to 40 of a-z, 0-9, _ and -")),
        ("a: /x > /y; a: /z > /w", FunnelSettingsError(funnel: "a", "a name given to two funnels")),
        ("checkout: /pricing", FunnelSettingsError(funnel: "checkout", "1 step: a funnel has 2 to 8, separated by >")),
        (
            "checkout: /pricing > auth",
            FunnelSettingsError(funnel: "checkout", step: (2, "auth"), "a page path starts with / (/pricing); a user event is type/name (auth/signup)")
        ),
        (
            "checkout: /pricing >  > /paid",
            FunnelSettingsError(funnel: "checkout", step: (2, ""), "an empty step: a page path (/pricing) or a user event (type/name)")
        ),
        (
            "checkout: /pricing?x=1 > /paid",
            FunnelSettingsError(
                funnel: "checkout", step: (1, "/pricing?x=1"), "a page path holds no spaces, query string or fragment: the stored path has none")
        ),
        ("checkout: /a > /b > /a/", FunnelSettingsError(funnel: "checkout", step: (3, "/a/"), "the same step twice in one funnel")),
        ("a: /x > /y;; b: /x > /y", FunnelSettingsError(funnel: "#2", "\"\" has no name: write name: step > step")),
    ])
    func refusesWithTheFunnelAndStep(text: String, expected: FunnelSettingsError) {
        #expect(throws: expected) { try FunnelSettings(parsing: text) }
    }

    @Test func refusesMoreThanTheLimits() throws {
        let nine = "f: " + (1...9).map { "/p\($0)" }.joined(separator: " > ")
        #expect(throws: FunnelSettingsError(funnel: "f", "9 steps: a funnel has 2 to 8, separated by >")) { try FunnelSettings(parsing: nine) }
        let eleven = (1...11).map { "f\($0): /a > /b" }.joined(separator: "; ")
        #expect(throws: FunnelSettingsError("11 funnels: at most 10 (name: step > step; name: step > step)")) { try FunnelSettings(parsing: eleven) }
        // At start-up the error names the variable, the funnel and the step.
        let error = #expect(throws: ConfigurationError.self) {
            try FunnelSettings(settings: Settings(environment: ["SLUICE_FUNNELS": "checkout: /a > signup"]))
        }
        #expect(error?.description.contains("SLUICE_FUNNELS") == true && error?.description.contains("funnel \"checkout\", step 2 \"signup\"") == true)
    }

    @Test func matchesPageViewsAndUserEventsOfSteps() throws {
        let matcher = FunnelMatcher(try FunnelSettings(parsing: "checkout: /pricing > auth/signup; tour: /welcome > /pricing/"))
        func facts(_ kind: EventKind, path: String? = nil, _ fields: [(String, JSONValue)] = []) -> EventFacts {
            EventFacts(kind: kind, fields: JSONObject(fields), timestamp: 0, isBot: false, path: path)
        }
        #expect(matcher.matches(facts(.pageview, path: "/pricing/")) == [.init(funnel: 0, step: 1), .init(funnel: 1, step: 2)])
        #expect(matcher.matches(facts(.pageview, path: "/pricing/x")).isEmpty)
        #expect(matcher.matches(facts(.event, [("eventType", .string("auth")), ("eventName", .string("signup"))])) == [.init(funnel: 0, step: 2)])
        #expect(matcher.matches(facts(.event, [("eventType", .string("auth")), ("eventName", .string("signup")), ("success", .bool(false))])).isEmpty)
        // An engagement update is no page view.
        #expect(matcher.matches(facts(.pageview, path: "/pricing", [("pageviewId", .string("p")), ("timeSpent", .int(5))])).isEmpty)
        #expect(FunnelMatcher().matches(facts(.pageview, path: "/pricing")).isEmpty)
    }
}
