import Foundation
import SluiceCore
import SluiceMongo
import SluiceRedis
import SluiceRollups
import Testing

@testable import SluiceWorker

/// `DerivedFlusher` against real Redis and MongoDB: what a flush writes of the state
/// one step made, and what a later flush sends.
@Suite struct DerivedFlusherTests {
    typealias E = TestEvents

    /// The counts of a bucket's Redis hash.
    func counts(_ bed: DerivedTestBed, _ key: String) throws -> RollupCounts {
        var counts = RollupCounts()
        for (field, value) in try bed.hash(key) { counts.add(field: Substring(field), count: try #require(Int64(value))) }
        return counts
    }

    @Test func aFlushWritesTheStateAndMarksItClean() throws {
        try DerivedTestBed.withFresh { bed in
            let events = try bed.step(DerivedStepTests.twoVisitors).events
            let s1 = try #require(events[0].sessionId)
            let s2 = try #require(events[1].sessionId)
            try bed.flusher().flush(redis: bed.redis)

            let sessions = try bed.documents(StoreCollection.sessions)
            #expect(Set(sessions.keys) == [s1, s2])
            let session = try #require(sessions[s1])
            #expect(session["visitorId"] == .string("v1"))
            #expect(StoredFields.date(session["startTime"]) == String(E.base))
            #expect(StoredFields.date(session["lastActivity"]) == String(E.base + 20_000))
            #expect(session["endTime"] == .null)
            #expect(StoredFields.integer(session["pageViews"]) == "2" && StoredFields.integer(session["events"]) == "3")
            #expect(session["entryPage"] == .string("/") && session["exitPage"] == .string("/pricing"))
            #expect(StoredFields.integer(sessions[s2]?["pageViews"]) == "1")

            let visitors = try bed.documents(StoreCollection.visitors)
            #expect(Set(visitors.keys) == ["v1", "v2"])
            let visitor = try #require(visitors["v1"])
            #expect(StoredFields.date(visitor["firstVisit"]) == String(E.base) && StoredFields.date(visitor["lastVisit"]) == String(E.base + 20_000))
            #expect(StoredFields.integer(visitor["visits"]) == "1" && StoredFields.integer(visitor["pageViews"]) == "2")
            #expect(visitor["returning"] == .bool(false))

            let rollups = try bed.documents(RollupDocument.collection)
            for key in [E.hourKey, E.dayKey] {
                let name = StreamLayout.DerivedKey.name(ofKey: key)
                let document = try #require(rollups[name], "no rollups document \(name): \(rollups.keys)")
                let written = RollupDocument.counts(of: document)
                let differences = written.differences(from: try counts(bed, key))
                #expect(differences.isEmpty, "\(differences)")
                #expect(written.totals[.human]?["pageViews"] == 3 && written.totals[.human]?["sessions"] == 2)
                #expect(StoredFields.integer(document["human"]?.objectValue?["visitors"]) == "2")
            }
            #expect(rollups.count == 2)
            // The pass wrote the site's buckets and gave it a new generation: dashboards reread its open buckets.
            let site = try #require(RollupBucket(name: Substring(StreamLayout.DerivedKey.name(ofKey: E.hourKey)))).site
            #expect(try RollupGenerations.current(site: site, redis: bed.redis) != nil)

            #expect(try bed.dirtyKeys().isEmpty)
            for key in [
                StreamLayout.sessionStateKey(sessionId: s1, partition: 0), StreamLayout.sessionStateKey(sessionId: s2, partition: 0),
                StreamLayout.visitorStateKey(visitorId: "v1", partition: 0), StreamLayout.visitorStateKey(visitorId: "v2", partition: 0),
            ] {
                #expect(try bed.hash(key)["stored"] == "1", "\(key)")
                let ttl = try bed.redis.run(RedisCommand("TTL", key)).integer ?? -2
                #expect(ttl > 0 && ttl <= 180, "\(key) expires in \(ttl) s")
            }
            #expect(try bed.redis.run(RedisCommand("EXISTS", StreamLayout.flushLockKey)).integer == 0)
        }
    }

    @Test func aLaterFlushRaisesCountsAndNeverLowersThem() throws {
        try DerivedTestBed.withFresh { bed in
            let flusher = bed.flusher()
            let s1 = try #require(try bed.step(DerivedStepTests.twoVisitors).events[0].sessionId)
            try flusher.flush(redis: bed.redis)
            // Someone else's write gave v1's visitor document more page views than Redis holds.
            let raise = BSONDocumentBuilder()
            raise.appendDocument("$set") { $0.appendInt64("pageViews", 99) }
            _ = try bed.store.bulkWrite(collection: StoreCollection.visitors, operations: [.upsert(filter: .filter(id: "v1"), update: raise)])

            try bed.step([E.pageView("e5", "v1", "/about", at: 30_000)])
            #expect(try bed.dirtyKeys().contains(StreamLayout.sessionStateKey(sessionId: s1, partition: 0)))
            try flusher.flush(redis: bed.redis)

            let session = try #require(try bed.documents(StoreCollection.sessions)[s1])
            #expect(StoredFields.integer(session["pageViews"]) == "3" && StoredFields.integer(session["events"]) == "4")
            #expect(StoredFields.date(session["lastActivity"]) == String(E.base + 30_000))
            #expect(StoredFields.date(session["startTime"]) == String(E.base))
            #expect(session["exitPage"] == .string("/about") && session["entryPage"] == .string("/"))
            let visitor = try #require(try bed.documents(StoreCollection.visitors)["v1"])
            #expect(StoredFields.integer(visitor["pageViews"]) == "99")
            #expect(StoredFields.date(visitor["lastVisit"]) == String(E.base + 30_000))
            let hour = try #require(try bed.documents(RollupDocument.collection)[StreamLayout.DerivedKey.name(ofKey: E.hourKey)])
            let written = RollupDocument.counts(of: hour)
            #expect(written.totals[.human]?["pageViews"] == 4 && written.totals[.human]?["events"] == 5)
            #expect(written.rows[.human]?["page"]?["/about"]?["n"] == 1)
            #expect(written.rows[.human]?["exitPage"]?["/about"]?["n"] == 1 && written.normalized.rows[.human]?["exitPage"]?["/pricing"] == nil)
            #expect(try bed.dirtyKeys().isEmpty)
        }
    }

    @Test func aFlushWaitsForAnotherWorkersLock() throws {
        try DerivedTestBed.withFresh { bed in
            try bed.step(DerivedStepTests.twoVisitors)
            let dirty = try bed.dirtyKeys()
            _ = try bed.redis.run(RedisCommand("SET", StreamLayout.flushLockKey, "other-worker", "PX", "60000"))
            try bed.flusher().flush(redis: bed.redis)
            #expect(try bed.documents(StoreCollection.sessions).isEmpty && bed.documents(RollupDocument.collection).isEmpty)
            #expect(try bed.dirtyKeys() == dirty)
            #expect(try bed.redis.run(RedisCommand("GET", StreamLayout.flushLockKey)).text == "other-worker")
            // Once the lock is gone, the next flush writes what was left dirty.
            _ = try bed.redis.run(RedisCommand("DEL", StreamLayout.flushLockKey))
            try bed.flusher().flush(redis: bed.redis)
            #expect(try bed.documents(StoreCollection.sessions).count == 2 && bed.documents(StoreCollection.visitors).count == 2)
            #expect(try bed.dirtyKeys().isEmpty)
        }
    }

    /// A change is written an interval less the flusher's lead after it, so that it is in
    /// the store within the interval; the age it had then is what `derived_age` counts.
    @Test func dueChangesAreWrittenWithinTheIntervalAndTheirAgeIsCounted() throws {
        try DerivedTestBed.withFresh { bed in
            let events = try bed.step(DerivedStepTests.twoVisitors).events
            let s1 = try #require(events[0].sessionId)
            let metrics = WorkerMetrics()
            let flusher = bed.flusher(intervalSeconds: 60, metrics: metrics)
            #expect(flusher.leadMilliseconds == 5000)
            // Changed 56 s ago: due (60 s less the 5 s lead; not with a 3-s lead); everything else changed just now.
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            _ = try bed.redis.run(
                RedisCommand("ZADD", StreamLayout.dirtyKey(partition: 0), "XX", String(now - 56_000), StreamLayout.sessionStateKey(sessionId: s1, partition: 0))
            )
            try flusher.flushDue(redis: bed.redis, backlogged: false)
            #expect(Set(try bed.documents(StoreCollection.sessions).keys) == [s1])
            #expect(try bed.documents(StoreCollection.visitors).isEmpty)
            #expect(!(try bed.dirtyKeys().contains(StreamLayout.sessionStateKey(sessionId: s1, partition: 0))))
            var text: [UInt8] = []
            metrics.registry.emit(into: &text)
            let exposition = String(decoding: text, as: UTF8.self)
            #expect(exposition.contains("sluice_worker_derived_age_seconds_count 1\n"), "\(exposition)")
            #expect(exposition.contains("sluice_worker_derived_age_seconds_bucket{le=\"55.0\"} 0\n"))
            #expect(exposition.contains("sluice_worker_derived_age_seconds_bucket{le=\"60.0\"} 1\n"))
            // While draining a backlog the same age is not due (ten intervals).
            _ = try bed.redis.run(
                RedisCommand(
                    "ZADD", StreamLayout.dirtyKey(partition: 0), "XX", String(now - 58_000), StreamLayout.visitorStateKey(visitorId: "v1", partition: 0)))
            try flusher.flushDue(redis: bed.redis, backlogged: true)
            #expect(try bed.documents(StoreCollection.visitors).isEmpty)
        }
    }
}
