import SluiceCore
import SluiceRollups

/// The ARGV of one `DerivedStepScript` call, in the order its comment describes.
package struct DerivedStepArguments {
    let changes: DerivedChanges
    let seeds: DerivedSeeds
    let rollupWindow: Int64
    let now: Int64
    /// What the keys it changes are scored by in `dirty:{p}` (epoch ms): when the changes arrived.
    let changedAt: Int64

    /// The arguments applying `changes`, started from `seeds`, with buckets open for
    /// `rollupWindow` ms after their end at `now`; changed keys are due for the flusher
    /// as changed at `changedAt` (`now` unless given).
    package init(changes: DerivedChanges, seeds: DerivedSeeds, rollupWindow: Int64, now: Int64, changedAt: Int64? = nil) {
        self.changes = changes
        self.seeds = seeds
        self.rollupWindow = rollupWindow
        self.now = now
        self.changedAt = changedAt ?? now
    }

    /// The group, clock, limits, the changes' time and the entry ids.
    func header(ids: [String]) -> [String] {
        [
            StreamLayout.group, String(now), String(rollupWindow), String(RollupDelta.maxRows), String(chatLifetimeSeconds),
            String(pageViewLifetimeSeconds), String(changedAt), String(ids.count),
        ] + ids
    }

    /// A chat's key lives a day: feedback comes within minutes of its chat, and one a day
    /// later is stored on the chat but not counted in its roll-ups (1M chats a day hold
    /// about 250 MB of these keys).
    var chatLifetimeSeconds: Int64 { 86_400 }

    /// A page view's engagement key lives six hours after its last update: updates come
    /// while the page is open, and one after six silent hours has its whole time counted
    /// again (docs/derived-data.md, "Engaged time"); 1M page views a day hold about 50 MB.
    var pageViewLifetimeSeconds: Int64 { 21_600 }

    /// Visitors first (a new session counts a visit on its visitor, a seed restores its
    /// funnel progress), then sessions, chats, feedback (a chat of the same batch is known
    /// by then), page views' engagement (likewise), buckets and funnel steps.
    package var operations: [String] {
        var out: [String] = []
        out.reserveCapacity(changes.visitors.count * 8 + changes.sessions.count * 26)
        let p = changes.partition
        // Every state key of the partition is its prefix and an id.
        let visitorKey = StreamLayout.visitorStateKey(visitorId: "", partition: p)
        let sessionKey = StreamLayout.sessionStateKey(sessionId: "", partition: p)
        var bucketKeys: [RollupBucket: String] = [:]
        // Borrowed in place: a copy of each would retain and release every string it holds.
        changes.visitors.withUnsafeBufferPointer { visitors in
            for index in visitors.indices { appendVisitor(visitors[index], keyPrefix: visitorKey, to: &out) }
        }
        changes.sessions.withUnsafeBufferPointer { sessions in
            for index in sessions.indices {
                appendSession(sessions[index], keyPrefix: sessionKey, visitorKeyPrefix: visitorKey, bucketKeys: &bucketKeys, to: &out)
            }
        }
        for chat in changes.chats {
            let buckets = RollupBucket.Granularity.allCases.map { granularity in
                chat.buckets.first { $0.granularity == granularity }.map { StreamLayout.rollupKey(bucket: $0.name, partition: p) } ?? ""
            }
            out += ["C", chat.key, chat.audience.tag] + chat.rows.map { RollupDelta.clip($0.1) } + buckets
        }
        for (key, satisfied) in changes.feedback { out += ["F", key, satisfied ? "1" : "0"] }
        for engagement in changes.engagements {
            out +=
                ["E", engagement.key]
                + RollupBucket.Granularity.allCases.map { granularity in
                    engagement.buckets.first { $0.granularity == granularity }.map { StreamLayout.rollupKey(bucket: $0.name, partition: p) } ?? ""
                } + [engagement.spent.map(String.init) ?? ""]
        }
        for change in changes.buckets.changes {
            let name = change.bucket.name
            out += [
                "B", StreamLayout.rollupKey(bucket: name, partition: p), StreamLayout.rollupVisitorsKey(bucket: name, partition: p),
                String(change.delta.order.count),
            ]
            for field in change.delta.order {
                out.append(field)
                out.append(String(change.delta.increments[field]!))
            }
            out.append(String(change.visitors.count))
            out.append(contentsOf: change.visitors)
        }
        if !changes.funnelSteps.isEmpty { appendFunnelSteps(keyPrefix: visitorKey, to: &out) }
        return out
    }

    /// One `U` operation per funnel step reached (in any order: the script works progress
    /// out from the times): the visitor's key, the funnel, its number of steps, the step,
    /// the time, and for a first step its site and open hour and day bucket keys.
    private func appendFunnelSteps(keyPrefix: String, to out: inout [String]) {
        for reached in changes.funnelSteps {
            let funnel = changes.funnels.funnels[reached.match.funnel]
            out += ["U", keyPrefix + reached.visitorId, funnel.name, String(funnel.steps.count), String(reached.match.step), String(reached.at)]
            guard reached.match.step == 1 else {
                out += ["", "", ""]
                continue
            }
            out +=
                [reached.site ?? ""]
                + RollupBucket.both(site: reached.site, containing: reached.at).map { bucket in
                    bucket.isOpen(now: now, window: rollupWindow) ? StreamLayout.rollupKey(bucket: bucket.name, partition: changes.partition) : ""
                }
        }
    }

    /// A visitor's `V` operation (appended one by one: a batch has one per visitor).
    private func appendVisitor(_ visitor: borrowing DerivedChanges.Visitor, keyPrefix: String, to out: inout [String]) {
        out.append("V")
        out.append(keyPrefix + visitor.id)
        out.append(String(visitor.first))
        out.append(String(visitor.last))
        out.append(String(visitor.pageViews))
        out.append(visitor.device.map(DeviceJSONCache.text(of:)) ?? "")
        out.append(visitor.userIds.joined(separator: "\u{1F}"))
        if let seed = seeds.visitors[visitor.id] {
            out.append("1")
            out.append(contentsOf: seed)
        } else {
            out.append("0")
        }
    }

    /// A session's `S` operation. The landing JSON and dimensions only count when the
    /// script creates the session's state, so a session Redis holds is sent without them.
    private func appendSession(
        _ session: borrowing DerivedChanges.Session, keyPrefix: String, visitorKeyPrefix: String, bucketKeys: inout [RollupBucket: String],
        to out: inout [String]
    ) {
        let seed = seeds.sessions[session.id]
        let start = seed.flatMap { Int64($0[0]) } ?? session.first
        out.append("S")
        out.append(keyPrefix + session.id)
        out.append(visitorKeyPrefix + session.visitorId)
        out.append(session.id)
        out.append(String(session.first))
        out.append(String(session.last))
        out.append(String(session.pageViews))
        out.append(String(session.events))
        out.append(String(session.entry?.at ?? 0))
        out.append(session.entry?.page ?? "")
        out.append(String(session.exit?.at ?? 0))
        out.append(session.exit?.page ?? "")
        out.append(session.userId ?? "")
        for granularity in RollupBucket.Granularity.allCases {
            let bucket = RollupBucket(site: session.site, granularity: granularity, containing: start)
            guard bucket.isOpen(now: now, window: rollupWindow) else {
                out.append("")
                continue
            }
            // Most sessions of a batch started in the same hour.
            if let key = bucketKeys[bucket] {
                out.append(key)
            } else {
                let key = StreamLayout.rollupKey(bucket: bucket.name, partition: changes.partition)
                bucketKeys[bucket] = key
                out.append(key)
            }
        }
        if !session.opened && seeds.existingSessions.contains(session.id) {
            for _ in 0..<9 { out.append("") }
        } else {
            let traffic = session.traffic?.source
            let device = session.device?.info
            out.append(SessionState.landingJSON(traffic: traffic, referrer: session.referrer, deviceJSON: device.map(DeviceJSONCache.text(of:))))
            out.append(contentsOf: SessionState.dimensions(traffic: traffic, device: device))
        }
        if let seed {
            out.append("1")
            out.append(contentsOf: seed)
        } else {
            out.append("0")
        }
    }
}
