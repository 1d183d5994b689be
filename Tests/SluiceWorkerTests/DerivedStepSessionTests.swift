import SluiceCore
import SluiceRollups
import Testing

@testable import SluiceWorker

/// `DerivedStep` across batches: a visitor's next session, the row cap of a bucket,
/// and chat feedback moving its counts.
@Suite struct DerivedStepSessionTests {
    typealias E = TestEvents

    @Test func aLaterSessionClosesThePreviousAndMakesTheVisitorReturning() throws {
        try DerivedTestBed.withFresh(sessionTimeoutSeconds: 60) { bed in
            let first = try bed.step([E.pageView("a", "v1", "/", at: 0), E.pageView("b", "v1", "/docs", at: 30_000)]).events
            let s1 = try #require(first[0].sessionId)
            // Ten minutes later: past the one-minute timeout, so a new session.
            let second = try bed.step([E.pageView("c", "v1", "/pricing", at: 630_000)]).events
            let s2 = try #require(second[0].sessionId)
            #expect(s2 != s1)

            let previous = try bed.hash(StreamLayout.sessionStateKey(sessionId: s1, partition: 0))
            #expect(previous["end"] == String(E.base + 30_000))
            #expect(previous["last"] == String(E.base + 30_000) && previous["pv"] == "2")
            let current = try bed.hash(StreamLayout.sessionStateKey(sessionId: s2, partition: 0))
            #expect(current["end"] == nil)
            #expect(current["start"] == String(E.base + 630_000) && current["pv"] == "1" && current["entry"] == "/pricing")
            let visitor = try bed.hash(StreamLayout.visitorStateKey(visitorId: "v1", partition: 0))
            #expect(visitor["visits"] == "2" && visitor["ret"] == "1" && visitor["cur"] == s2)
            #expect(visitor["pv"] == "3" && visitor["first"] == String(E.base) && visitor["last"] == String(E.base + 630_000))
            #expect(try bed.dirtyKeys().contains(StreamLayout.sessionStateKey(sessionId: s1, partition: 0)))

            let hour = try bed.hash(E.hourKey)
            #expect(hour["h|sessions"] == "2" && hour["h|bounces"] == "1" && hour["h|duration"] == "30000")
            #expect(hour["h|entryPage|n|/"] == "1" && hour["h|entryPage|n|/pricing"] == "1")
            #expect(hour["h|exitPage|n|/docs"] == "1" && hour["h|exitPage|n|/pricing"] == "1")
        }
    }

    @Test func valuesPastTheRowCapCountAsOther() throws {
        try DerivedTestBed.withFresh { bed in
            let pages = (0..<(RollupDelta.maxRows + 5)).map { E.pageView("p\($0)", "v1", "/p\($0)", at: Int64($0) * 100) }
            try bed.step(pages)
            var hour = try bed.hash(E.hourKey)
            let pageRows = hour.filter { $0.key.hasPrefix("h|page|n|") }
            #expect(pageRows.count == RollupDelta.maxRows + 1)
            #expect(hour["h|page|n|/p0"] == "1" && hour["h|page|n|/p\(RollupDelta.maxRows - 1)"] == "1")
            #expect(hour["h|page|n|/p\(RollupDelta.maxRows)"] == nil)
            #expect(hour["h|page|n|\(RollupDelta.otherValue)"] == "5")
            #expect(pageRows.values.compactMap { Int($0) }.reduce(0, +) == RollupDelta.maxRows + 5)
            #expect(hour["h|pageViews"] == String(RollupDelta.maxRows + 5))

            // A later batch: a known page still counts on its own row, a new one as other.
            try bed.step([E.pageView("again", "v1", "/p3", at: 20_000), E.pageView("new", "v1", "/new", at: 20_100)])
            hour = try bed.hash(E.hourKey)
            #expect(hour["h|page|n|/p3"] == "2")
            #expect(hour["h|page|n|/new"] == nil)
            #expect(hour["h|page|n|\(RollupDelta.otherValue)"] == "6")
            #expect(try bed.hash(E.dayKey)["h|page|n|\(RollupDelta.otherValue)"] == "6")
        }
    }

    @Test func feedbackMovesTheChatsSatisfiedCounts() throws {
        try DerivedTestBed.withFresh { bed in
            try bed.step([E.chat("c1", "v1", at: 0)])
            let rows = ["agent|%|support", "model|%|m-1", "language|%|de"]
            func counts(_ key: String) throws -> [String] {
                let bucket = try bed.hash(key)
                return rows.flatMap { row in
                    ["satisfied", "unsatisfied"].map { bucket["h|" + row.replacingOccurrences(of: "%", with: $0)] ?? "-" }
                }
            }
            let hour = try bed.hash(E.hourKey)
            #expect(hour["h|agent|n|support"] == "1" && hour["h|model|n|m-1"] == "1" && hour["h|language|n|de"] == "1")
            #expect(try counts(E.hourKey) == Array(repeating: "-", count: 6))

            try bed.step([E.feedback("f1", "v1", on: "c1", satisfied: true, at: 60_000)])
            #expect(try counts(E.hourKey) == ["1", "-", "1", "-", "1", "-"])
            #expect(try counts(E.dayKey) == ["1", "-", "1", "-", "1", "-"])

            // The latest feedback wins: satisfied moves to unsatisfied.
            try bed.step([E.feedback("f2", "v1", on: "c1", satisfied: false, at: 120_000)])
            #expect(try counts(E.hourKey) == ["0", "1", "0", "1", "0", "1"])
            #expect(try counts(E.dayKey) == ["0", "1", "0", "1", "0", "1"])

            // The same verdict again changes nothing; feedback on an unknown chat counts nowhere.
            try bed.step([E.feedback("f3", "v1", on: "c1", satisfied: false, at: 180_000), E.feedback("f4", "v1", on: "nope", satisfied: true, at: 180_000)])
            #expect(try counts(E.hourKey) == ["0", "1", "0", "1", "0", "1"])
            // Feedback makes no document of its own: the chat is the hour's one event.
            #expect(try bed.hash(E.hourKey)["h|events"] == "1")
        }
    }

    @Test func feedbackInTheBatchOfItsChatCounts() throws {
        try DerivedTestBed.withFresh { bed in
            try bed.step([E.chat("c1", "v1", at: 0), E.feedback("f1", "v1", on: "c1", satisfied: false, at: 60_000)])
            for key in [E.hourKey, E.dayKey] {
                let bucket = try bed.hash(key)
                #expect(bucket["h|agent|unsatisfied|support"] == "1" && bucket["h|model|unsatisfied|m-1"] == "1" && bucket["h|language|unsatisfied|de"] == "1")
                #expect(bucket["h|agent|satisfied|support"] == nil)
            }
        }
    }

    @Test func engagementUpdatesMoveNoSessionOrVisitorAndAddOnlyEngagedTime() throws {
        try DerivedTestBed.withFresh { bed in
            let sessionId = try #require(try bed.step([E.pageView("p1", "v1", "/", at: 0)]).events[0].sessionId)
            let before = try bed.snapshot()
            let bucketsBefore = try [E.hourKey, E.dayKey].map { try bed.hash($0) }
            let update =
                #"{"id":"u1","type":"pageview","visitorId":"v1","timestamp":\#(E.base + 30_000),"pageviewId":"p1","timeSpent":30000,"url":"https://shop.example/"}"#
            let outcome = try bed.step([update]).outcome
            #expect(outcome.counted == 1)
            let session = try bed.hash(StreamLayout.sessionStateKey(sessionId: sessionId, partition: 0))
            #expect(session["last"] == String(E.base) && session["pv"] == "1" && session["ev"] == "1")
            #expect(try bed.hash(StreamLayout.visitorStateKey(visitorId: "v1", partition: 0))["last"] == String(E.base))
            // The buckets gained the engaged time and nothing else; no other key changed but the
            // page view's engagement key (the stitcher's pointer, the step's counter and the dirty set aside).
            let after = try bed.snapshot()
            for (key, earlier) in zip([E.hourKey, E.dayKey], bucketsBefore) {
                var bucket = try bed.hash(key)
                #expect(bucket.removeValue(forKey: "h|engaged") == "30000")
                bucket["~seq"] = earlier["~seq"]
                #expect(bucket == earlier, "\(key)")
            }
            // Only the kinds an engagement update touches change: the to-do list, the current
            // session, the roll-ups and the page view's own key.
            let kind = { (key: String) in key.prefix { $0 != ":" } }
            let touched = Set(
                [
                    StreamLayout.dirtyKey(partition: 0), StreamLayout.dirtySequenceKey(partition: 0), StreamLayout.sessionKey(visitorId: "v1", partitions: 1),
                    StreamLayout.rollupKey(bucket: "", partition: 0), StreamLayout.pageViewKey(scopedId: "", partition: 0),
                ].map(kind))
            let unchanged = { (key: String) in !touched.contains(kind(key)) }
            #expect(after.filter { unchanged($0.key) } == before.filter { unchanged($0.key) })
            #expect(after.keys.filter { kind($0) == kind(StreamLayout.pageViewKey(scopedId: "", partition: 0)) }.count == 1)
        }
    }

    @Test func feedbackBeforeItsChatIsCountedWhenTheChatComes() throws {
        try DerivedTestBed.withFresh { bed in
            try bed.step([E.feedback("f1", "v1", on: "c1", satisfied: true, at: 60_000)])
            #expect(try bed.hash(E.hourKey)["h|agent|satisfied|support"] == nil)
            try bed.step([E.chat("c1", "v1", at: 0)])
            let hour = try bed.hash(E.hourKey)
            #expect(hour["h|agent|satisfied|support"] == "1" && hour["h|agent|unsatisfied|support"] == nil)
        }
    }
}
