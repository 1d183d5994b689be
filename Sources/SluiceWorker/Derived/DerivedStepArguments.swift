import SluiceCore
import SluiceRollups

/// The ARGV of one `DerivedStepScript` call, in the order its comment describes.
struct DerivedStepArguments {
    let changes: DerivedChanges
    let seeds: DerivedSeeds
    let rollupWindow: Int64
    let now: Int64

    /// The group, clock, limits and the entry ids.
    func header(ids: [String]) -> [String] {
        [StreamLayout.group, String(now), String(rollupWindow), String(RollupDelta.maxRows), String(chatLifetimeSeconds), String(ids.count)] + ids
    }

    /// A chat's feedback is counted while its buckets are open, so its key lives as long plus an hour.
    var chatLifetimeSeconds: Int64 { (RollupBucket.Granularity.day.milliseconds + rollupWindow) / 1000 + 3600 }

    /// Visitors first (a new session counts a visit on its visitor), then sessions,
    /// chats, feedback (a chat of the same batch is known by then) and buckets.
    var operations: [String] {
        var out: [String] = []
        let p = changes.partition
        for id in changes.visitorOrder {
            let visitor = changes.visitors[id]!
            out += [
                "V", StreamLayout.visitorStateKey(visitorId: id, partition: p), String(visitor.first), String(visitor.last), String(visitor.pageViews),
                visitor.device.map { JSONWriter.string(of: VisitorState.json(of: $0)) } ?? "", visitor.userIds.joined(separator: "\u{1F}"),
            ]
            if let seed = seeds.visitors[id] { out += ["1"] + seed } else { out.append("0") }
        }
        for id in changes.sessionOrder {
            let session = changes.sessions[id]!
            let seed = seeds.sessions[id]
            let start = seed.flatMap { Int64($0[0]) } ?? session.first
            let buckets = RollupBucket.both(site: session.site, containing: start).map {
                $0.isOpen(now: now, window: rollupWindow) ? StreamLayout.rollupKey(bucket: $0.name, partition: p) : ""
            }
            let landing = SessionState.landing(traffic: session.traffic?.source, referrer: session.traffic?.referrer, device: session.device?.info)
            out += [
                "S", StreamLayout.sessionStateKey(sessionId: id, partition: p), StreamLayout.visitorStateKey(visitorId: session.visitorId, partition: p), id,
                String(session.first), String(session.last), String(session.pageViews), String(session.events),
                String(session.entry?.at ?? 0), session.entry?.page ?? "", String(session.exit?.at ?? 0), session.exit?.page ?? "",
                session.userId ?? "", buckets[0], buckets[1], JSONWriter.string(of: .object(landing)),
            ]
            out += SessionState.dimensions(traffic: session.traffic?.source, device: session.device?.info)
            if let seed { out += ["1"] + seed } else { out.append("0") }
        }
        for chat in changes.chats {
            let buckets = RollupBucket.Granularity.allCases.map { granularity in
                chat.buckets.first { $0.granularity == granularity }.map { StreamLayout.rollupKey(bucket: $0.name, partition: p) } ?? ""
            }
            out += ["C", chat.key, chat.audience.tag] + chat.rows.map { RollupDelta.clip($0.1) } + buckets
        }
        for (key, satisfied) in changes.feedback { out += ["F", key, satisfied ? "1" : "0"] }
        for (bucket, counts) in changes.buckets {
            out += [
                "B", StreamLayout.rollupKey(bucket: bucket.name, partition: p), StreamLayout.rollupVisitorsKey(bucket: bucket.name, partition: p),
                String(counts.delta.order.count),
            ]
            for field in counts.delta.order { out += [field, String(counts.delta.increments[field]!)] }
            out.append(String(counts.visitors.count))
            out += counts.visitors
        }
        return out
    }
}
