import Foundation
import SluiceCore

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A reply from ingest, with its body parsed when it is JSON.
struct HTTPReply {
    let status: Int
    let headers: [String: String]
    let body: Data
    var json: JSONValue? { try? JSONParser.parse(Array(body)) }
    var text: String { String(decoding: body, as: UTF8.self) }
}

/// Minimal HTTP calls against a live ingest.
enum HTTP {
    /// Sent unless a test says otherwise: a desktop browser, so events count as a person's
    /// (the default URLSession and curl agents are classified as bots).
    static let browserUserAgent = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"

    static func post(_ url: String, body: Data, contentType: String? = "application/json", headers: [String: String] = [:]) async throws -> HTTPReply {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = "POST"
        request.httpBody = body
        request.setValue(contentType, forHTTPHeaderField: "Content-Type")
        request.setValue(browserUserAgent, forHTTPHeaderField: "User-Agent")
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        return try await send(request)
    }

    static func post(_ url: String, json: String, headers: [String: String] = [:]) async throws -> HTTPReply {
        try await post(url, body: Data(json.utf8), headers: headers)
    }

    static func get(_ url: String) async throws -> HTTPReply {
        try await send(URLRequest(url: URL(string: url)!))
    }

    static func send(_ url: String, method: String, headers: [String: String] = [:]) async throws -> HTTPReply {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        return try await send(request)
    }

    private static let session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpShouldSetCookies = false
        configuration.httpCookieAcceptPolicy = .never
        return URLSession(configuration: configuration)
    }()

    private static func send(_ request: URLRequest) async throws -> HTTPReply {
        let (data, response) = try await session.data(for: request)
        let http = response as! HTTPURLResponse
        var headers: [String: String] = [:]
        for (key, value) in http.allHeaderFields { headers["\(key)".lowercased()] = "\(value)" }
        return HTTPReply(status: http.statusCode, headers: headers, body: data)
    }
}
