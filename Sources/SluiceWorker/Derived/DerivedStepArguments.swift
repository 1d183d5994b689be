import SluiceCore
import SluiceRollups
import SluiceUserAgent

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
        out.reserveCapacity(changes.visitors.count * 8 + changes.sessions.count * 26)
        var devices = DeviceJSONMemo()
        let p = changes.partition
        for visitor in changes.visitors {
            out += [
                "V", StreamLayout.visitorStateKey(visitorId: visitor.id, partition: p), String(visitor.first), String(visitor.last),
                String(visitor.pageViews), visitor.device.map { devices.text(of: $0) } ?? "", visitor.userIds.joined(separator: "\u{1F}"),
            ]
            if let seed = seeds.visitors[visitor.id] { out += ["1"] + seed } else { out.append("0") }
        }
        for index in changes.sessions.indices { appendSession(changes.sessions[index], to: &out, devices: &devices) }
        for chat in changes.chats {
            let buckets = RollupBucket.Granularity.allCases.map { granularity in
                chat.buckets.first { $0.granularity == granularity }.map { StreamLayout.rollupKey(bucket: $0.name, partition: p) } ?? ""
            }
            out += ["C", chat.key, chat.audience.tag] + chat.rows.map { RollupDelta.clip($0.1) } + buckets
        }
        for (key, satisfied) in changes.feedback { out += ["F", key, satisfied ? "1" : "0"] }
        for change in changes.buckets.changes {
            let name = change.bucket.name
            out += [
                "B", StreamLayout.rollupKey(bucket: name, partition: p), StreamLayout.rollupVisitorsKey(bucket: name, partition: p),
                String(change.delta.order.count),
            ]
            for field in change.delta.order { out += [field, String(change.delta.increments[field]!)] }
            out.append(String(change.visitors.count))
            out += change.visitors
        }
        return out
    }

    /// A session's `S` operation. The landing JSON and dimensions only count when the
    /// script creates the session's state, so a session Redis holds is sent without them.
    private func appendSession(_ session: borrowing DerivedChanges.Session, to out: inout [String], devices: inout DeviceJSONMemo) {
        let p = changes.partition
        let seed = seeds.sessions[session.id]
        let start = seed.flatMap { Int64($0[0]) } ?? session.first
        let hour = RollupBucket(site: session.site, granularity: .hour, containing: start)
        let day = RollupBucket(site: session.site, granularity: .day, containing: start)
        func key(_ bucket: RollupBucket) -> String {
            bucket.isOpen(now: now, window: rollupWindow) ? StreamLayout.rollupKey(bucket: bucket.name, partition: p) : ""
        }
        out += [
            "S", StreamLayout.sessionStateKey(sessionId: session.id, partition: p), StreamLayout.visitorStateKey(visitorId: session.visitorId, partition: p),
            session.id, String(session.first), String(session.last), String(session.pageViews), String(session.events),
            String(session.entry?.at ?? 0), session.entry?.page ?? "", String(session.exit?.at ?? 0), session.exit?.page ?? "",
            session.userId ?? "", key(hour), key(day),
        ]
        if !session.opened && seeds.existingSessions.contains(session.id) {
            out += ["", "", "", "", "", "", "", "", ""]
        } else {
            let traffic = session.traffic?.source, device = session.device?.info
            out.append(SessionState.landingJSON(traffic: traffic, referrer: session.referrer, deviceJSON: device.map { devices.text(of: $0) }))
            out += SessionState.dimensions(traffic: traffic, device: device)
        }
        if let seed { out += ["1"] + seed } else { out.append("0") }
    }
}

/// Each distinct device's stored JSON, built once per call: a batch's visitors and
/// sessions share a few popular devices.
private struct DeviceJSONMemo {
    private struct Key: Hashable {
        let device: DeviceInfo
        func hash(into hasher: inout Hasher) {
            hasher.combine(device.browser)
            hasher.combine(device.browserVersion)
            hasher.combine(device.os)
            hasher.combine(device.osVersion)
        }
    }

    private var built: [Key: String] = [:]

    /// The device's JSON text.
    mutating func text(of device: DeviceInfo) -> String {
        let key = Key(device: device)
        if let known = built[key] { return known }
        let text = VisitorState.jsonText(of: device)
        built[key] = text
        return text
    }
}
