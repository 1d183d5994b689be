import SluiceCore
import SluiceMongo
import SluiceRollups
import Testing

@testable import SluiceControl

/// Funnel progress counted again from stored events, as the worker counts it.
@Suite struct FunnelTallyTests {
    static let hour: Int64 = 1_764_633_600_000  // 2025-12-02T00:00:00Z
    static let matcher = FunnelMatcher(try! FunnelSettings(parsing: "checkout: /pricing > auth/signup > /paid"))

    private func event(_ kind: EventKind, _ json: String) throws -> StoredEvent {
        let document = try #require(ExtendedJSON.document(json))
        return try #require(StoredEvent(kind: kind, document: document))
    }

    private func page(_ visitor: String, _ path: String, minutes: Int64, bot: Bool = false) throws -> StoredEvent {
        let device = bot ? #", "device": {"type": "bot"}"# : ""
        return try event(
            .pageview,
            #"{"_id": "\#(visitor)\#(path)\#(minutes)", "visitorId": "\#(visitor)", "sessionId": "s", "timestamp": {"$date": {"$numberLong": "\#(Self.hour + minutes * 60_000)"}}, "path": "\#(path)"\#(device)}"#
        )
    }

    private func signup(_ visitor: String, minutes: Int64) throws -> StoredEvent {
        try event(
            .event,
            #"{"_id": "\#(visitor)-s\#(minutes)", "visitorId": "\#(visitor)", "sessionId": "s", "timestamp": {"$date": {"$numberLong": "\#(Self.hour + minutes * 60_000)"}}, "eventType": "auth", "eventName": "signup"}"#
        )
    }

    @Test func stepsCountInTimeOrderInTheBucketsOfTheFirstStep() throws {
        let tally = FunnelTally(
            [
                // v1 entered an hour before the others and signs up in their hour: counted in its own first hour.
                try signup("v1", minutes: 70), try page("v1", "/pricing", minutes: 5),
                // v2 goes all the way; its second pricing view changes nothing.
                try page("v2", "/pricing", minutes: 65), try signup("v2", minutes: 66), try page("v2", "/pricing", minutes: 67),
                try page("v2", "/paid/", minutes: 68),
                // v3 signs up first: only the pricing page counts. A bot counts nothing.
                try signup("v3", minutes: 61), try page("v3", "/pricing", minutes: 62), try page("b1", "/pricing", minutes: 63, bot: true),
            ], matcher: Self.matcher)
        func rows(_ start: Int64) -> [Int64?] {
            let delta = tally.rows[RollupBucket(site: "", granularity: .hour, start: start)]
            return (1...3).map { delta?.increments["h|funnel|n|checkout\u{1F}\($0)"] }
        }
        #expect(rows(Self.hour) == [1, 1, nil])
        #expect(rows(Self.hour + 3_600_000) == [2, 1, 1])
        #expect(tally.rows[RollupBucket(site: "", granularity: .day, start: Self.hour)]?.increments["h|funnel|n|checkout\u{1F}1"] == 3)
        #expect(tally.visitors["v2"]?["checkout"] == FunnelTally.Progress(step: 3, entered: Self.hour + 65 * 60_000, site: nil))
        #expect(tally.visitors["v3"]?["checkout"]?.step == 1 && tally.visitors["b1"] == nil)
        #expect(FunnelTally([try page("v2", "/pricing", minutes: 65)], matcher: FunnelMatcher()).rows.isEmpty)
    }

    @Test func aVisitorsStoredProgressIsComparedPerFunnel() throws {
        let tally = FunnelTally([try page("v2", "/pricing", minutes: 65), try signup("v2", minutes: 66)], matcher: Self.matcher)
        let stored = try #require(ExtendedJSON.document(#"{"_id": "v2", "funnels": {"checkout": {"step": 1, "entered": {"$date": {"$numberLong": "0"}}}}}"#))
        #expect(tally.differences(visitorId: "v2", stored: stored).map(\.line) == ["visitor v2 funnels.checkout.step: stored 1, recomputed 2"])
        #expect(tally.differences(visitorId: "v2", stored: JSONObject()).map(\.line) == ["visitor v2 funnels.checkout.step: stored 0, recomputed 2"])
        let document = try #require(tally.document(visitorId: "v2")?.objectValue?["checkout"]?.objectValue)
        #expect(document["step"] == .int(2) && document["entered"] == .int(Self.hour + 65 * 60_000) && document["site"] == nil)
        // The option, else the worker's variable; a bad value is refused naming the step.
        #expect(try RollupsVerifyCommand.parse([]).funnelOptions.matcher(environment: ["SLUICE_FUNNELS": "a: /x > /y"]).funnels.map(\.name) == ["a"])
        #expect(
            try RollupsVerifyCommand.parse(["--funnels", "b: /x > /y"]).funnelOptions.matcher(environment: ["SLUICE_FUNNELS": "a: /x > /y"]).funnels.map(\.name)
                == ["b"])
        #expect(parsingExitCode(["rollups", "verify", "--funnels", "a: /x > y"]) == .validationFailure)
    }
}
