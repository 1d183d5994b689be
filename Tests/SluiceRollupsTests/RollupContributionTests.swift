import SluiceCore
import Testing

@testable import SluiceRollups

/// The facts of an event given as JSON text.
func facts(_ kind: EventKind, _ json: String, bot: Bool = false, path: String? = nil, at timestamp: Int64 = 1_764_633_600_000) throws -> EventFacts {
    let fields = try #require(try JSONParser.parse(json).objectValue)
    return EventFacts(kind: kind, fields: fields, timestamp: timestamp, isBot: bot, path: path)
}

/// What one event adds, as field → increment.
func contribution(_ facts: EventFacts) -> [String: Int64] {
    var delta = RollupDelta()
    RollupContribution.add(facts, to: &delta)
    return delta.increments
}

/// The separator of two-part values, as text.
let separator = String(RollupDelta.valueSeparator)

@Suite struct RollupContributionTests {
    @Test func pageViewCountsItsPageAndTheTotals() throws {
        var delta = RollupDelta()
        RollupContribution.add(try facts(.pageview, #"{"url": "https://a.example/pricing"}"#, path: "/pricing"), to: &delta)
        #expect(delta.increments == ["h|events": 1, "h|pageViews": 1, "h|page|n|/pricing": 1])
        #expect(delta.order == ["h|events", "h|pageViews", "h|page|n|/pricing"])
    }

    @Test func pageViewWithoutPathCountsUnderNone() throws {
        #expect(contribution(try facts(.pageview, "{}"))["h|page|n|(none)"] == 1)
    }

    @Test func engagementUpdateCountsNothing() throws {
        #expect(contribution(try facts(.pageview, #"{"pageviewId": "p1", "timeSpent": 5000}"#, path: "/")).isEmpty)
        #expect(contribution(try facts(.pageview, #"{"pageviewId": "p1", "scrollDepth": 80}"#, path: "/")).isEmpty)
        // A page view naming an earlier one without engagement fields is a page view.
        #expect(contribution(try facts(.pageview, #"{"pageviewId": "p1"}"#, path: "/"))["h|pageViews"] == 1)
    }

    @Test func chatCountsAgentModelLanguageWithTheirResponseTime() throws {
        let bin = RollupMetric.time(TimeHistogram.index(of: 120))
        #expect(bin == "t22")
        let counted = contribution(try facts(.chat, #"{"agentId": "support", "model": "m-1", "language": "de", "responseTime": 120}"#))
        #expect(
            counted == [
                "h|events": 1,
                "h|agent|n|support": 1, "h|agent|\(bin)|support": 1,
                "h|model|n|m-1": 1, "h|model|\(bin)|m-1": 1,
                "h|language|n|de": 1, "h|language|\(bin)|de": 1,
            ])
    }

    @Test func chatWithoutAgentIdCountsItsAgentNameAndNoTime() throws {
        let counted = contribution(try facts(.chat, #"{"agentName": "Helper", "model": "m-2"}"#))
        #expect(counted == ["h|events": 1, "h|agent|n|Helper": 1, "h|model|n|m-2": 1, "h|language|n|(none)": 1])
        #expect(RollupContribution.chatRows(try facts(.chat, #"{"agentId": "a", "agentName": "b"}"#)).map(\.1) == ["a", "", ""])
    }

    @Test func feedbackCountsNothingOfItsOwn() throws {
        // It changes its chat's document; it is counted on the chat's rows in the Redis step.
        #expect(contribution(try facts(.feedback, #"{"interactionId": "c1", "satisfied": true}"#)).isEmpty)
    }

    @Test func failedToolCountsFailuresAndItsErrorRow() throws {
        let bin = RollupMetric.time(TimeHistogram.index(of: 50))
        let counted = contribution(
            try facts(.tool, #"{"toolName": "search", "category": "web", "success": false, "executionTime": 50, "errorMessage": "timed out"}"#))
        #expect(
            counted == [
                "h|events": 1,
                "h|tool|n|search": 1, "h|tool|failures|search": 1, "h|tool|\(bin)|search": 1,
                "h|toolCategory|n|web": 1, "h|toolCategory|failures|web": 1, "h|toolCategory|\(bin)|web": 1,
                "h|toolError|n|search\(separator)timed out": 1,
            ])
    }

    @Test func successfulToolCountsNoFailure() throws {
        let counted = contribution(try facts(.tool, #"{"toolName": "search", "success": true}"#))
        #expect(counted == ["h|events": 1, "h|tool|n|search": 1, "h|toolCategory|n|(none)": 1])
    }

    @Test func toolErrorWithoutMessageCountsUnderNone() throws {
        let counted = contribution(try facts(.tool, #"{"toolName": "fetch", "success": false}"#))
        #expect(counted["h|toolError|n|fetch\(separator)(none)"] == 1)
    }

    @Test func labRunCountsExperimentAndModel() throws {
        let bin = RollupMetric.time(TimeHistogram.index(of: 2000))
        let counted = contribution(try facts(.lab, #"{"experimentName": "ab-1", "model": "m-3", "success": false, "processingTime": 2000}"#))
        #expect(
            counted == [
                "h|events": 1,
                "h|experiment|n|ab-1": 1, "h|experiment|failures|ab-1": 1, "h|experiment|\(bin)|ab-1": 1,
                "h|labModel|n|m-3": 1, "h|labModel|failures|m-3": 1, "h|labModel|\(bin)|m-3": 1,
            ])
    }

    @Test func apiCallsCountClientAndServerErrorsByEndpointAndMethod() throws {
        let row = "/v1/chat\(separator)POST"
        let notFound = contribution(try facts(.api, #"{"endpoint": "/v1/chat", "method": "post", "statusCode": 404, "responseTime": 8}"#))
        #expect(
            notFound == [
                "h|events": 1, "h|endpoint|n|\(row)": 1, "h|endpoint|s4xx|\(row)": 1, "h|endpoint|\(RollupMetric.time(TimeHistogram.index(of: 8)))|\(row)": 1,
            ])
        let failed = contribution(try facts(.api, #"{"endpoint": "/v1/chat", "method": "POST", "statusCode": 503}"#))
        #expect(failed == ["h|events": 1, "h|endpoint|n|\(row)": 1, "h|endpoint|s5xx|\(row)": 1])
        let fine = contribution(try facts(.api, #"{"endpoint": "/v1/chat", "method": "POST", "statusCode": 200}"#))
        #expect(fine == ["h|events": 1, "h|endpoint|n|\(row)": 1])
    }

    @Test func userEventCountsTypeAndNameWithFailures() throws {
        let row = "ui\(separator)click"
        #expect(
            contribution(try facts(.event, #"{"eventType": "ui", "eventName": "click", "success": false}"#))
                == ["h|events": 1, "h|userEvent|n|\(row)": 1, "h|userEvent|failures|\(row)": 1])
        #expect(contribution(try facts(.event, #"{"eventType": "ui", "eventName": "click"}"#)) == ["h|events": 1, "h|userEvent|n|\(row)": 1])
    }

    @Test func botsCountUnderTheBotAudience() throws {
        #expect(contribution(try facts(.pageview, "{}", bot: true, path: "/")) == ["b|events": 1, "b|pageViews": 1, "b|page|n|/": 1])
        #expect(contribution(try facts(.chat, #"{"agentId": "x", "model": "m", "language": "en"}"#, bot: true)).keys.allSatisfy { $0.hasPrefix("b|") })
    }

    @Test func twoPartValuesKeepBothPartsWithinTheValueLimit() throws {
        let long = String(repeating: "e", count: 500)
        let counted = contribution(try facts(.tool, #"{"toolName": "\#(long)", "success": false, "errorMessage": "\#(long)"}"#))
        let errorField = try #require(counted.keys.first { $0.hasPrefix("h|toolError|n|") })
        let value = errorField.dropFirst("h|toolError|n|".count)
        let parts = value.split(separator: RollupDelta.valueSeparator, omittingEmptySubsequences: false)
        #expect(parts.count == 2)
        #expect(parts.map(\.utf8.count) == [RollupDelta.maxValueBytes / 2 - 1, RollupDelta.maxValueBytes / 2 - 1])
        #expect(value.utf8.count <= RollupDelta.maxValueBytes)
    }
}
