import SluiceCore

/// A stream entry decoded back into its canonical event.
package struct DecodedEvent {
    let message: StreamMessage
    let kind: EventKind
    let id: String
    let visitorId: String
    let timestamp: Int64
    let event: JSONObject

    /// Decodes an entry written by ingest; the error is the dead-letter reason.
    package static func decode(_ message: StreamMessage) -> Result<DecodedEvent, DecodeFailure> {
        guard let fields = message.fields else { return .failure(.deleted) }
        guard let version = fields[StreamLayout.versionField].map({ String(decoding: $0, as: UTF8.self) }) else {
            return .failure(.malformed("entry has no \"\(StreamLayout.versionField)\" field"))
        }
        guard version == StreamLayout.schemaVersion else {
            return .failure(.malformed("unsupported schema version \"\(version)\" (this worker reads \(StreamLayout.schemaVersion))"))
        }
        guard let json = fields[StreamLayout.eventField] else {
            return .failure(.malformed("entry has no \"\(StreamLayout.eventField)\" field"))
        }
        let value: JSONValue
        do {
            value = try JSONParser.parse(json)
        } catch {
            return .failure(.malformed("event is not valid JSON: \(error)"))
        }
        guard case .object(let event) = value else { return .failure(.malformed("event is not a JSON object")) }
        guard let typeName = event["type"]?.stringValue, let kind = EventKind(rawValue: typeName) else {
            return .failure(.malformed("event has no known \"type\""))
        }
        guard let id = event["id"]?.stringValue, !id.isEmpty else { return .failure(.malformed("event has no \"id\"")) }
        guard let visitorId = event["visitorId"]?.stringValue else { return .failure(.malformed("event has no \"visitorId\"")) }
        guard case .int(let timestamp)? = event["timestamp"] else { return .failure(.malformed("event has no epoch-ms \"timestamp\"")) }
        if kind == .feedback, event["interactionId"]?.stringValue == nil {
            return .failure(.malformed("feedback event has no \"interactionId\""))
        }
        return .success(DecodedEvent(message: message, kind: kind, id: id, visitorId: visitorId, timestamp: timestamp, event: event))
    }
}

/// Why an entry cannot become a document.
package enum DecodeFailure: Error {
    /// The entry was deleted (XDEL/trim) while pending: nothing left to store, just acknowledge.
    case deleted
    /// The entry can never be stored; it goes to the dead-letter stream with this reason.
    case malformed(String)
}
