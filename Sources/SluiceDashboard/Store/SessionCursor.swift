import FoundationEssentials

/// Where a page of a visitor's sessions ended: the last session's `startTime` and `_id`.
/// Travels as an opaque base64url token; the next page holds the sessions before it in
/// newest-first order.
struct SessionCursor: Equatable, Sendable {
    /// The last session's `startTime`, epoch milliseconds.
    let startTime: Int64
    /// The last session's `_id`.
    let id: String

    /// The token for `?cursor=`.
    var token: String {
        Data("\(startTime)\n\(id)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// The cursor `token` stands for; nil if it is not one this route handed out.
    init?(token: String) {
        guard token.utf8.count <= 1024 else { return nil }
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.utf8.count % 4) % 4)
        guard let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8),
            let newline = text.firstIndex(of: "\n"), let startTime = Int64(text[..<newline])
        else { return nil }
        let id = String(text[text.index(after: newline)...])
        guard !id.isEmpty else { return nil }
        self.init(startTime: startTime, id: id)
    }

    /// A cursor after the session started at `startTime` with `_id` `id`.
    init(startTime: Int64, id: String) {
        self.startTime = startTime
        self.id = id
    }
}
