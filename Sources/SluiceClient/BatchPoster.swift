import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// POSTs a batch to ingest's `/api/analytics/batch` with the server key.
struct BatchPoster: Sendable {
    /// What ingest answered; status 0 when it could not be reached.
    struct Answer: Sendable {
        var status: Int
        var retryAfterSeconds: Int?
        var text: String
    }

    let url: URL
    let writeKey: String
    let session: URLSession

    /// A poster for `configuration`'s endpoint, with its own session (no cookies, its timeout).
    init(configuration: SluiceClientConfiguration) {
        url = configuration.endpoint.appendingPathComponent("api/analytics/batch")
        writeKey = configuration.writeKey
        let sessionConfiguration = URLSessionConfiguration.ephemeral
        sessionConfiguration.httpShouldSetCookies = false
        sessionConfiguration.httpCookieAcceptPolicy = .never
        let seconds = Double(configuration.timeout.components.seconds) + Double(configuration.timeout.components.attoseconds) / 1e18
        sessionConfiguration.timeoutIntervalForRequest = seconds
        session = URLSession(configuration: sessionConfiguration)
    }

    /// Sends `events` as one batch; never throws: a failure to connect is status 0.
    func post(_ events: [TrackedEvent]) async -> Answer {
        struct Batch: Encodable {
            let batch: [TrackedEvent]
        }
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue(writeKey, forHTTPHeaderField: "X-Sluice-Key")
        request.setValue("sluice-hummingbird/0.1", forHTTPHeaderField: "User-Agent")
        do {
            request.httpBody = try JSONEncoder().encode(Batch(batch: events))
            let (data, response) = try await session.data(for: request)
            guard let http = response as? HTTPURLResponse else { return Answer(status: 0, text: "not an HTTP answer") }
            let retryAfter = http.value(forHTTPHeaderField: "Retry-After").flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            return Answer(status: http.statusCode, retryAfterSeconds: retryAfter, text: String(decoding: data.prefix(1000), as: UTF8.self))
        } catch {
            return Answer(status: 0, text: "\(error)")
        }
    }
}
