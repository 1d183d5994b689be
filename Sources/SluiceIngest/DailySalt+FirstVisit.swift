import SluiceCore

extension DailySalt {
    /// The visitor id given to a request that has no visitor cookie yet.
    ///
    /// Random, unless the request's first event carries an id of its sender's:
    /// then a keyed hash of the site, the anonymised address, the user agent and
    /// that id, so a first request retried before its answer (and its cookie)
    /// arrived gets the same visitor, its events the same scoped keys, and the
    /// retry stays a duplicate instead of a second copy (docs/decisions.md, "Ids
    /// scoped to their sender"). Two people share it only if they send the same
    /// event id from the same address and browser, with no cookie, on the same day.
    func firstVisitId(site: String?, ip: String?, userAgent: String?, body: JSONValue, now: Int64) async -> String {
        guard let eventId = Self.firstEventId(in: body), let (k0, k1) = await key(now: now) else { return VisitorCookie.newVisitorId() }
        // Each part length-prefixed, so no user agent and id can spell another pair's material.
        let material = ["first-visit", site ?? "", ip ?? "", userAgent ?? "", eventId].map { "\($0.utf8.count):\($0)" }.joined()
        let halves = ["a", "b"].map { SipHash.hash(Array("\(material)|\($0)".utf8), k0: k0, k1: k1) }
        return "v-"
            + halves.map { hash in
                let hex = String(hash, radix: 16)
                return String(repeating: "0", count: 16 - hex.count) + hex
            }.joined()
    }

    /// The sender's id of the body's first event (`id`, else `messageId`), for a
    /// single event or a batch.
    static func firstEventId(in body: JSONValue) -> String? {
        guard var event = body.objectValue else { return nil }
        if case .array(let batch)? = event["batch"] {
            guard let first = batch.first?.objectValue else { return nil }
            event = first
        }
        guard let id = (event["id"] ?? event["messageId"])?.stringValue, !id.isEmpty else { return nil }
        return id
    }
}
