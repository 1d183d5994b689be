import SluiceCore
import SluiceMongo

/// Turns a decoded event into the MongoDB write that stores it, with the seed's field names.
enum EventDocument {
    /// Fields holding epoch milliseconds in the stream and BSON dates in MongoDB.
    static let dateFields: Set<String> = ["timestamp", "receivedAt", "sentAt"]

    /// The write for one event: an insert keyed by the event id, except chat
    /// interactions, which are upserts so feedback that arrived first is kept.
    static func operation(for event: DecodedEvent) -> BulkOperation {
        switch event.kind {
        case .feedback:
            let filter = BSONDocumentBuilder()
            filter.appendString("_id", event.event["interactionId"]?.stringValue ?? "")
            let update = BSONDocumentBuilder()
            update.appendDocument("$set") { set in
                if let satisfied = event.event["satisfied"] { set.append("satisfied", json: satisfied) }
                if let feedback = event.event["feedback"] { set.append("feedback", json: feedback) }
                set.appendDate("feedbackAt", millisecondsSince1970: event.timestamp)
            }
            return .upsert(filter: filter, update: update)
        case .chat:
            let filter = BSONDocumentBuilder()
            filter.appendString("_id", event.id)
            let update = BSONDocumentBuilder()
            // $set of the same values is idempotent, so a redelivered chat event changes nothing.
            update.appendDocument("$set") { set in appendFields(of: event, to: set) }
            return .upsert(filter: filter, update: update)
        default:
            let document = BSONDocumentBuilder()
            document.appendString("_id", event.id)
            appendFields(of: event, to: document)
            return .insert(document)
        }
    }

    /// Appends every stored field: common fields first, then the kind's own.
    static func appendFields(of event: DecodedEvent, to document: BSONDocumentBuilder) {
        let fields = event.event
        document.appendString("visitorId", event.visitorId)
        document.append("sessionId", json: fields["sessionId"] ?? .null)
        document.append("userId", json: fields["userId"] ?? .null)
        for member in fields.members {
            switch member.key {
            case "id", "type", "visitorId", "sessionId", "userId":
                continue
            case "ua":
                document.append("userAgent", json: member.value)
            case _ where dateFields.contains(member.key):
                if case .int(let ms) = member.value { document.appendDate(member.key, millisecondsSince1970: ms) }
            default:
                document.append(member.key, json: member.value)
            }
        }
        if event.kind == .pageview, let url = fields["url"]?.stringValue {
            document.appendString("path", PageURL.path(of: url))
        }
    }
}
