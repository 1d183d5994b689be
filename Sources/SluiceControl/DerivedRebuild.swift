import Foundation
import SluiceCore
import SluiceMongo
import SluiceRedis
import SluiceRollups

/// What `sluicectl rollups rebuild` writes for a recount, and the writing: every session,
/// visitor and roll-up bucket of the range, with absolute values (`$set`).
struct DerivedRebuild {
    let recount: DerivedRecount
    /// Session and visitor fields to set, by id, in id order.
    let sessions: [(id: String, set: JSONObject)]
    let visitors: [(id: String, set: JSONObject)]
    /// Checked sessions with a document but no event left (say, after retention): left as they are.
    let sessionsWithoutEvents: [String]
    /// Visitors whose state Redis still holds: the live pipeline writes them, so they are left to it.
    let liveVisitors: [String]
    /// The session documents as they will be, for the roll-ups' session part.
    let sessionDocuments: [String: JSONObject]

    /// Plans the writes; `liveVisitors` are skipped, sessions last active before `closedBefore` are ended.
    init(recount: DerivedRecount, liveVisitors: Set<String>, closedBefore: Int64) {
        self.recount = recount
        var documents = recount.storedSessions
        var sessions: [(String, JSONObject)] = []
        var orphans: [String] = []
        for id in recount.sessionIds {
            guard let tally = recount.sessions[id] else {
                orphans.append(id)
                continue
            }
            let set = DerivedRewrite.session(tally, stored: recount.storedSessions[id], closedBefore: closedBefore)
            sessions.append((id, set))
            documents[id] = DerivedRewrite.applied(set, to: recount.storedSessions[id], id: id)
        }
        self.sessions = sessions
        sessionsWithoutEvents = orphans
        sessionDocuments = documents
        self.liveVisitors = recount.visitors.keys.filter(liveVisitors.contains).sorted()
        visitors = recount.visitors.keys.sorted().filter { !liveVisitors.contains($0) }.map { id in
            (id, DerivedRewrite.visitor(recount.visitors[id]!, stored: recount.storedVisitors[id], funnels: recount.funnels.document(visitorId: id)))
        }
    }

    /// The visitors of `recount` whose state hash `vs:{p}:<id>` exists in Redis.
    static func liveVisitors(of recount: DerivedRecount, redis: RedisConnection, partitions: Int) throws(RedisError) -> Set<String> {
        let ids = recount.visitors.keys.sorted()
        let replies = try redis.pipeline(
            ids.map { id in
                RedisCommand("EXISTS", StreamLayout.visitorStateKey(visitorId: id, partition: StreamLayout.partition(visitorId: id, partitions: partitions)))
            })
        return Set(zip(ids, replies).filter { $0.1.integer == 1 }.map(\.0))
    }

    /// The differences the writes fix: the stored documents against the rewritten ones.
    var differences: [DerivedDifference] {
        DerivedComparison.differences(recount, sessionDocuments: sessionDocuments).filter { difference in
            difference.subject != .visitor || !liveVisitors.contains(difference.id)
        }
    }

    /// Documents written in all.
    var total: Int { sessions.count + visitors.count + recount.buckets.count }

    /// Writes sessions, then visitors, then the buckets (each with a HyperLogLog made in
    /// Redis), reporting progress; fails on the first write MongoDB refuses.
    func write(store: MongoStore, redis: RedisConnection, now: Int64, batch: Int = 200) throws {
        var progress = ProgressReporter(label: "rebuild", total: total)
        var done = 0
        func send(_ collection: String, _ operations: [BulkOperation]) throws {
            for start in stride(from: 0, to: operations.count, by: batch) {
                let outcome = try store.bulkWrite(collection: collection, operations: Array(operations[start..<min(start + batch, operations.count)]))
                if let failure = outcome.failures.first { throw ControlError("MongoDB refused a write to \(collection): \(failure)") }
                done += min(batch, operations.count - start)
                progress?.show(done: done)
            }
        }
        try send(StoreCollection.sessions, sessions.map { DerivedRewrite.upsert(id: $0.id, set: $0.set) })
        try send(StoreCollection.visitors, visitors.map { DerivedRewrite.upsert(id: $0.id, set: $0.set) })
        let tallies = recount.rollups(sessionDocuments: sessionDocuments)
        let hll = VisitorHLL(redis: redis, token: UUID().uuidString.prefix(8).lowercased())
        var operations: [BulkOperation] = []
        for bucket in recount.buckets {
            let tally = tallies[bucket]!
            let (bytes, count) = try hll.make(bucket: bucket.name, visitorIds: tally.visitorIds)
            let update = BSONDocumentBuilder()
            update.appendDocument("$set", RollupDocument.fields(bucket: bucket, counts: tally.counts, visitors: count, visitorsHLL: bytes, now: now))
            operations.append(DerivedRewrite.upsert(id: bucket.documentId, update: update))
        }
        // Dashboards reread the sites' open buckets (their closed ones within their cache's
        // lifetime), also after a rebuild that stopped part-way: some buckets were written.
        defer {
            do {
                try RollupGenerations.raise(Set(recount.buckets.map(\.site)), redis: redis)
            } catch {
                Terminal.warn("dashboards were not told of the roll-ups written (\(error)): their pages show the open buckets within a minute")
            }
        }
        try send(RollupDocument.collection, operations)
    }
}
