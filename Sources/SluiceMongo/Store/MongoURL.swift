/// Helpers for MongoDB connection URLs.
public enum MongoURL {
    /// The URL with any password replaced by `***`, safe to print or log.
    ///
    /// `mongodb://user:secret@host/db` becomes `mongodb://user:***@host/db`.
    public static func masked(_ url: String) -> String {
        guard let schemeEnd = url.range(of: "://"),
            let at = url[schemeEnd.upperBound...].lastIndex(of: "@")
        else { return url }
        let userInfo = url[schemeEnd.upperBound..<at]
        guard let colon = userInfo.firstIndex(of: ":") else { return url }
        return String(url[..<url.index(after: colon)]) + "***" + String(url[at...])
    }
}
