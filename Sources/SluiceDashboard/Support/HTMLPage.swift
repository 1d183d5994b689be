import HTTPTypes
import Hummingbird

/// A server-rendered page: the shared shell around a page's own markup.
struct HTMLPage {
    let title: String
    /// The page's markup, already escaped where it holds data (`HTMLPage.escaped`).
    let body: String
    /// Extra markup for `<head>` (the layout's stylesheet).
    var head = ""

    /// The page as a response: never cached, never framed by another site (clickjacking),
    /// and sending no referrer, since a page's URL may name a visitor or session.
    func response(status: HTTPResponse.Status = .ok) -> Response {
        let headers: HTTPFields = [
            .contentType: "text/html; charset=utf-8", .cacheControl: "no-store", .contentSecurityPolicy: "frame-ancestors 'none'",
            .xFrameOptions: "DENY", .xContentTypeOptions: "nosniff", .referrerPolicy: "no-referrer",
        ]
        let document = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(Self.escaped(title)) · Sluice</title>\(head)</head>
            <body><main>
            \(body)
            </main></body></html>
            """
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: document)))
    }

    /// `text` safe inside HTML text and quoted attributes.
    static func escaped(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}

extension HTTPField.Name {
    /// Legacy clickjacking defence, for browsers without CSP `frame-ancestors`.
    static let xFrameOptions = HTTPField.Name("X-Frame-Options")!
    /// What the browser sends as `Referer` when leaving a page.
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
}
