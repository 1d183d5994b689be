import SluiceCore
import SluiceMongo
import SluiceUserAgent

/// Turns an enriched event into the MongoDB write that stores it, with the seed's field names.
enum EventDocument {
    /// Fields holding epoch milliseconds in the stream and BSON dates in MongoDB.
    static let dateFields: Set<String> = ["timestamp", "receivedAt", "sentAt"]

    /// The write for one event. Every document is keyed by its sender's id in the
    /// sender's scope (`ScopedID`), with the id as sent in `eventId`. Events are
    /// inserts, page views with a `pageviewId` keyed by it; one whose document is
    /// already there (feedback or an engagement update arrived first, or a
    /// redelivery) is then written with `overwrite(for:)`. Engagement updates raise
    /// `timeSpent`/`scrollDepth` with `$max` upserts, so they never decrease and one
    /// that arrives before its page view is not lost; feedback `$set`s its verdict.
    /// Feedback and engagement updates reach only the same visitor's interaction or
    /// page view.
    static func operation(for event: EnrichedEvent) -> BulkOperation {
        let fields = event.decoded.event
        switch event.kind {
        case .feedback:
            let interactionId = fields["interactionId"]?.stringValue ?? ""
            let update = BSONDocumentBuilder()
            update.appendDocument("$set") { set in
                if let satisfied = fields["satisfied"] { set.append("satisfied", json: satisfied) }
                if let feedback = fields["feedback"] { set.append("feedback", json: feedback) }
                set.appendDate("feedbackAt", millisecondsSince1970: event.timestamp)
            }
            // Feedback that arrives first (or for another visitor's id) makes the document:
            // it carries its visitor, site and time, so retention and erasure find it.
            update.appendDocument("$setOnInsert") { insert in
                insert.appendString("eventId", interactionId)
                insert.appendString("visitorId", event.visitorId)
                if let siteId = fields["siteId"]?.stringValue { insert.appendString("siteId", siteId) }
                insert.appendDate("timestamp", millisecondsSince1970: event.timestamp)
            }
            return .upsert(filter: BSONDocumentBuilder.filter(id: ScopedID.key(of: event.decoded, id: interactionId)), update: update)
        case .pageview where event.isEngagementUpdate:
            let pageviewId = fields["pageviewId"]?.stringValue ?? event.decoded.id
            let update = BSONDocumentBuilder()
            update.appendDocument("$max") { max in
                if let timeSpent = fields["timeSpent"] { max.append("timeSpent", json: timeSpent) }
                if let scrollDepth = fields["scrollDepth"] { max.append("scrollDepth", json: scrollDepth) }
            }
            update.appendDocument("$setOnInsert") { insert in
                appendFields(of: event, to: insert, eventId: pageviewId, skipping: ["timeSpent", "scrollDepth", "pageviewId"])
            }
            return .upsert(filter: BSONDocumentBuilder.filter(id: ScopedID.key(of: event.decoded, id: pageviewId)), update: update)
        default:
            let (id, skipping) = documentId(of: event)
            let document = BSONDocumentBuilder()
            document.appendString("_id", ScopedID.key(of: event.decoded, id: id))
            appendFields(of: event, to: document, eventId: id, skipping: skipping)
            return .insert(document)
        }
    }

    /// The write of an event whose insert found its document already there, for the
    /// kinds whose document another event can make first: a chat (its feedback) and
    /// a page view with a `pageviewId` (its engagement update). `$set` of the event's
    /// fields keeps what the other event added, and changes nothing on a redelivery.
    static func overwrite(for event: EnrichedEvent) -> BulkOperation? {
        guard event.kind == .chat || (event.kind == .pageview && event.decoded.event["pageviewId"] != nil) else { return nil }
        let (id, skipping) = documentId(of: event)
        let update = BSONDocumentBuilder()
        update.appendDocument("$set") { set in appendFields(of: event, to: set, eventId: id, skipping: skipping) }
        return .upsert(filter: BSONDocumentBuilder.filter(id: ScopedID.key(of: event.decoded, id: id)), update: update)
    }

    /// The id a document is keyed by (the page view's `pageviewId` when it has one) and
    /// the fields not stored because the key holds them.
    private static func documentId(of event: EnrichedEvent) -> (String, Set<String>) {
        if event.kind == .pageview, let pageviewId = event.decoded.event["pageviewId"]?.stringValue { return (pageviewId, ["pageviewId"]) }
        return (event.decoded.id, [])
    }

    /// Appends every stored field: common and enriched fields first, then the kind's own.
    /// `eventId` is the id the sender gave the document (the event's own id, or the
    /// page view's `pageviewId`).
    static func appendFields(of event: EnrichedEvent, to document: BSONDocumentBuilder, eventId: String? = nil, skipping: Set<String> = []) {
        let fields = event.decoded.event
        document.appendString("eventId", eventId ?? event.decoded.id)
        document.appendString("visitorId", event.visitorId)
        if let sessionId = event.sessionId { document.appendString("sessionId", sessionId) } else { document.appendNull("sessionId") }
        document.append("userId", json: fields["userId"] ?? .null)
        document.appendDate("timestamp", millisecondsSince1970: event.timestamp)
        if event.clock.adjusted { document.appendDate("clientTimestamp", millisecondsSince1970: event.decoded.timestamp) }
        if event.clock.late { document.appendBool("late", true) }
        if let device = event.device { appendDevice(device, to: document) }
        for member in fields.members where !skipping.contains(member.key) {
            switch member.key {
            case "id", "type", "visitorId", "sessionId", "userId", "timestamp":
                continue
            case "ua":
                document.append("userAgent", json: member.value)
            case _ where dateFields.contains(member.key):
                if case .int(let ms) = member.value { document.appendDate(member.key, millisecondsSince1970: ms) }
            default:
                document.append(member.key, json: member.value)
            }
        }
        if let path = event.path { document.appendString("path", path) }
        if let traffic = event.traffic { appendTraffic(traffic, to: document) }
    }

    static func appendDevice(_ device: DeviceInfo, to document: BSONDocumentBuilder) {
        document.appendDocument("device") { d in
            d.appendString("type", device.type.rawValue)
            for (key, value) in [
                ("browser", device.browser), ("browserVersion", device.browserVersion), ("os", device.os), ("osVersion", device.osVersion),
                ("deviceFamily", device.deviceFamily), ("brand", device.brand), ("model", device.model),
            ] {
                if let value { d.appendString(key, value) } else { d.appendNull(key) }
            }
        }
    }

    static func appendTraffic(_ traffic: TrafficSource, to document: BSONDocumentBuilder) {
        if let host = traffic.referrerHost { document.appendString("referrerHost", host) }
        document.appendString("channel", traffic.channel.rawValue)
        if !traffic.utm.isEmpty {
            document.appendDocument("utm") { utm in traffic.utm.forEach { utm.appendString($0.key, $0.value) } }
        }
        for click in traffic.clickIds { document.appendString(click.key, click.value) }
    }
}

extension BSONDocumentBuilder {
    /// `{_id: id}`, the filter of every upsert the worker sends.
    static func filter(id: String) -> BSONDocumentBuilder {
        let filter = BSONDocumentBuilder()
        filter.appendString("_id", id)
        return filter
    }
}
