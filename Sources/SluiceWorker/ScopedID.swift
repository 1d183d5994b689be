/// The `_id` of a document keyed by an id a client chose: the id inside its
/// site's and visitor's scope, `<site>:<visitor>:<id>`, so one sender's id never
/// reaches another visitor's or another site's document (docs/decisions.md,
/// "Ids scoped to their sender").
///
/// The site and the visitor are escaped (`%` and `:` as `%25` and `%3A`), so
/// no choice of visitor and id can spell another visitor's key; the id comes
/// last and as sent, so an analyst can read it off the key. The id itself is
/// also stored as it was sent (`eventId`, indexed).
enum ScopedID {
    /// The scoped key of `id` sent for `visitorId` on `siteId` (nil: no sites file).
    static func key(site siteId: String?, visitor visitorId: String, id: String) -> String {
        escaped(siteId ?? "") + ":" + escaped(visitorId) + ":" + id
    }

    /// The scoped key of `id` for the site and visitor of `event`.
    static func key(of event: DecodedEvent, id: String) -> String {
        key(site: event.event["siteId"]?.stringValue, visitor: event.visitorId, id: id)
    }

    private static func escaped(_ part: String) -> String {
        guard part.utf8.contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: ":") }) else { return part }
        var result = ""
        result.reserveCapacity(part.utf8.count + 4)
        for character in part.unicodeScalars {
            switch character {
            case "%": result += "%25"
            case ":": result += "%3A"
            default: result.unicodeScalars.append(character)
            }
        }
        return result
    }
}
