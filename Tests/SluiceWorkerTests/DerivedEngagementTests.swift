import SluiceCore
import SluiceRollups
import Testing

@testable import SluiceWorker

/// Engaged time: a page view's `timeSpent` as its engagement updates raise it, counted
/// once per page view in the page view's hour and day, whatever the updates' order.
@Suite struct DerivedEngagementTests {
    typealias E = TestEvents

    /// A page view of `/` that engagement updates can name (`pageviewId`).
    static func pageView(_ id: String, _ visitor: String, at offset: Int64) -> String {
        #"{"id":"\#(id)-e","type":"pageview","visitorId":"\#(visitor)","timestamp":\#(E.base + offset),"pageviewId":"\#(id)","url":"https://shop.example/"}"#
    }

    /// An engagement update of page view `pageview`: its cumulative time so far.
    static func update(_ id: String, _ visitor: String, of pageview: String, spent: Int, at offset: Int64, agent: String? = nil) -> String {
        #"{"id":"\#(id)","type":"pageview","visitorId":"\#(visitor)","timestamp":\#(E.base + offset),"pageviewId":"\#(pageview)","timeSpent":\#(spent),"url":"https://shop.example/"\#(agent.map { #","ua":"\#($0)""# } ?? "")}"#
    }

    func engaged(_ bed: DerivedTestBed) throws -> [String?] {
        try [E.hourKey, E.dayKey].map { try bed.hash($0)["h|engaged"] }
    }

    @Test func updatesAddWhatTheirCumulativeTimeGrewBy() throws {
        try DerivedTestBed.withFresh { bed in
            try bed.step([Self.pageView("p1", "v1", at: 0), Self.update("u1", "v1", of: "p1", spent: 5000, at: 5000)])
            #expect(try engaged(bed) == ["5000", "5000"])
            // A later, larger time adds the difference; a smaller one (reordered) adds nothing.
            try bed.step([Self.update("u2", "v1", of: "p1", spent: 12_000, at: 12_000), Self.update("u3", "v1", of: "p1", spent: 8000, at: 8000)])
            #expect(try engaged(bed) == ["12000", "12000"])
        }
    }

    @Test func anUpdateBeforeItsPageViewIsCountedOnceAndThePageViewKeepsItsTime() throws {
        try DerivedTestBed.withFresh { bed in
            try bed.step([Self.update("u1", "v1", of: "p2", spent: 3000, at: 3000)])
            try bed.step([Self.pageView("p2", "v1", at: 0), Self.update("u2", "v1", of: "p2", spent: 4000, at: 4000)])
            #expect(try engaged(bed) == ["4000", "4000"])
            // Two page views add up.
            try bed.step([Self.pageView("p3", "v2", at: 60_000), Self.update("u3", "v2", of: "p3", spent: 1500, at: 61_500)])
            #expect(try engaged(bed) == ["5500", "5500"])
        }
    }

    @Test func aPageViewBringingItsOwnTimeCountsItAndBotsCountNone() throws {
        try DerivedTestBed.withFresh { bed in
            let own = #"{"id":"p4","type":"pageview","visitorId":"v1","timestamp":\#(E.base),"timeSpent":2500,"url":"https://shop.example/"}"#
            try bed.step([own])
            #expect(try engaged(bed) == ["2500", "2500"])
            let bot = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
            try bed.step([Self.update("u5", "v9", of: "p9", spent: 9000, at: 9000, agent: bot)])
            #expect(try engaged(bed) == ["2500", "2500"])
        }
    }

    @Test func theFlushedBucketCarriesEngagedTimeAsTheRecountFindsIt() throws {
        try DerivedTestBed.withFresh { bed in
            try bed.step([Self.pageView("p1", "v1", at: 0), Self.update("u1", "v1", of: "p1", spent: 7000, at: 7000)])
            try bed.flusher().flush(redis: bed.redis)
            let name = StreamLayout.DerivedKey.name(ofKey: E.hourKey)
            let document = try #require(try bed.documents(RollupDocument.collection)[name])
            #expect(StoredFields.integer(document["human"]?.objectValue?["engaged"]) == "7000")
            // What the stored page view (its largest time) counts, as `sluicectl rollups verify` reads it.
            var delta = RollupDelta()
            RollupContribution.add(
                EventFacts(kind: .pageview, fields: JSONObject([("timeSpent", .int(7000))]), timestamp: E.base, isBot: false, path: "/"), to: &delta)
            #expect(delta.increments["h|engaged"] == 7000)
        }
    }
}
