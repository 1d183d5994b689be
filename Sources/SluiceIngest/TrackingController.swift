import Foundation
import HTTPTypes
import Hummingbird
import Logging
import SluiceCore
import SluiceRedis
import SluiceValidation

/// The tracking routes: validate, stamp, append, answer 202.
struct TrackingController: Sendable {
    let configuration: IngestConfiguration
    let validator: EventValidator
    let access: SiteAccess
    let appender: EventAppender
    let limiter: RateLimiter
    let salt: DailySalt
    let backlog: BacklogMonitor
    let metrics: IngestMetrics

    func addRoutes(to router: Router<IngestRequestContext>) {
        let group = router.group("api/analytics")
        for kind in EventKind.allCases {
            group.post("track/\(kind.routePath)") { request, context in
                try await handle(request, context: context) { body, stamp in
                    validator.validate(body, kind: kind, stamp: stamp).map { [$0] }
                }
            }
        }
        group.post("batch") { request, context in
            try await handle(request, context: context, batch: true) { body, stamp in
                validator.validateBatch(body, stamp: stamp)
            }
        }
    }

    private func handle(
        _ request: Request, context: IngestRequestContext, batch: Bool = false,
        validate: (JSONValue, RequestStamp) -> Result<[ValidatedEvent], EventRejection>
    ) async throws -> Response {
        let started = ContinuousClock.now
        defer { metrics.latency.record(ContinuousClock.now - started) }
        do {
            return try await accept(request, context: context, batch: batch, validate: validate)
        } catch let error as IngestError {
            if error.status == .serviceUnavailable { metrics.unavailable.increment() } else { metrics.rejected(reason: error.reason) }
            throw error
        }
    }

    private func accept(
        _ request: Request, context: IngestRequestContext, batch: Bool,
        validate: (JSONValue, RequestStamp) -> Result<[ValidatedEvent], EventRejection>
    ) async throws -> Response {
        try checkContentType(request)
        let body = try await readBody(request)
        let json: JSONValue
        do {
            json = try body.withUnsafeReadableBytes { raw in
                try JSONParser.parse(raw, maxDepth: configuration.limits.maxDepth, bytesPerContainer: EventLimits.bytesPerContainer)
            }
        } catch let error as JSONParseError {
            throw IngestError(status: .badRequest, code: "invalid_event", details: [ValidationProblem(field: "(body)", problem: "not valid JSON: \(error)")])
        }

        let sender = try access.authorize(request, body: json, logger: context.logger)
        let siteId = sender.siteId
        let privacy = configuration.privacy
        let client = ClientAddress(
            peer: context.remoteAddress?.ipAddress, headers: request.headers, trustedProxies: privacy.trustedProxies, header: privacy.proxyHeader)
        let doNotTrack = request.headers[.dnt] == "1" || request.headers[.secGPC] == "1"
        if doNotTrack && privacy.doNotTrack == .drop {
            // Honoured on purpose, so answered 2xx: the client must not retry.
            return Response(status: .noContent, headers: [HTTPField.Name("Sluice-Dropped")!: "dnt"])
        }
        let anonymous = doNotTrack && privacy.doNotTrack == .anonymous
        let anonymisedIP = client.ip.flatMap(IPAnonymizer.anonymize)
        // A server key's sender is not the visitor: its own address and User-Agent
        // are not stamped (the events' context.ip and context.userAgent are).
        let ip: String? =
            switch privacy.ipMode {
            case .anonymize: anonymisedIP
            case .full: client.ip
            case .none: nil
            }
        let stampedIP = sender.isServer ? nil : ip
        let userAgent = sender.isServer ? nil : request.headers[.userAgent].map(EventValidator.truncatedUserAgent)
        let receivedAt = Int64(Date().timeIntervalSince1970 * 1000)

        // The visitor: a random one-off id (Do Not Track), a daily keyed hash
        // (cookieless), or the first-party cookie, set when absent.
        var knownVisitor: String?
        var setCookie = false
        let visitorId: String
        if anonymous {
            visitorId = "anon-" + VisitorCookie.newVisitorId()
        } else if privacy.cookieless {
            visitorId = await salt.visitorId(site: siteId, ip: anonymisedIP, userAgent: userAgent, now: receivedAt) ?? VisitorCookie.newVisitorId()
        } else {
            knownVisitor = VisitorCookie.visitorId(in: request, cookieName: configuration.cookieName)
            setCookie = knownVisitor == nil && !sender.isServer
            if let knownVisitor {
                visitorId = knownVisitor
            } else {
                visitorId = await salt.firstVisitId(site: siteId, ip: anonymisedIP, userAgent: userAgent, body: json, now: receivedAt)
            }
        }
        var stamp = RequestStamp(receivedAt: receivedAt, ip: stampedIP, userAgent: userAgent, cookieVisitorId: visitorId, siteId: siteId)
        stamp.anonymous = anonymous
        stamp.fromServer = sender.isServer
        stamp.relayedAddressRetention = privacy.ipMode

        let events: [ValidatedEvent]
        switch validate(json, stamp) {
        case .success(let validated): events = validated
        case .failure(let rejection): throw IngestError.rejection(rejection)
        }
        if backlog.status.overLimit {
            throw IngestError.unavailable("the pipeline is behind (backlog over its limit), retry later", retryAfterSeconds: backlog.retryAfterSeconds)
        }
        let charge = limiter.charge(cost: events.count, site: siteId, visitor: knownVisitor, address: client.ip, fromServer: sender.isServer, now: receivedAt)
        let outcome: EventAppender.Outcome
        do throws(RedisError) {
            outcome = try await appender.append(events, charging: charge)
        } catch {
            throw unavailable(after: error, logger: context.logger)
        }
        if case .rateLimited(let wait) = outcome {
            throw IngestError(
                status: .tooManyRequests, code: "rate_limited",
                details: [
                    ValidationProblem(field: "(client)", problem: "too many events from this address, visitor, server key or site; retry after the delay")
                ],
                retryAfterSeconds: Int((wait + 999) / 1000))
        }
        metrics.accepted.increment(by: Int64(events.count))

        var answer = JSONObject()
        if batch {
            answer["accepted"] = .int(Int64(events.count))
            answer["ids"] = .array(events.map { .string($0.id) })
        } else {
            answer["id"] = .string(events[0].id)
        }
        var response = Response(
            status: .accepted, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: JSONWriter.bytes(of: .object(answer)))))
        if setCookie {
            response.setCookie(
                VisitorCookie.cookie(name: configuration.cookieName, visitorId: visitorId, domain: configuration.cookieDomain, secure: client.isHTTPS))
        }
        return response
    }

    /// The 503 for events Redis did not take, logged with the reason: too few replicas,
    /// a full writer queue (Redis slower than requests arrive) or Redis failing.
    private func unavailable(after error: RedisError, logger: Logger) -> IngestError {
        let retryAfter = backlog.retryAfterSeconds
        switch error {
        case .replicaAcksMissing:
            // The master has them; a retry is stored once, by event id (docs/production.md).
            metrics.replicaAckFailures.increment()
            logger.warning("events not accepted: too few replicas confirmed them", metadata: ["sluice.error": "\(error)"])
            return .unavailable("too few Redis replicas confirmed the events in time, retry later", retryAfterSeconds: retryAfter)
        case .queueFull:
            logger.warning("events not accepted: the Redis writer's queue is full", metadata: ["sluice.error": "\(error)"])
            return .unavailable("the event store is unavailable, retry later", retryAfterSeconds: retryAfter)
        default:
            logger.warning("events not accepted: redis unavailable", metadata: ["sluice.error": "\(error)"])
            return .unavailable("the event store is unavailable, retry later", retryAfterSeconds: retryAfter)
        }
    }

    private func checkContentType(_ request: Request) throws {
        let header = request.headers[.contentType]
        // text/plain is what navigator.sendBeacon sends without a CORS preflight.
        guard let header, Self.isAcceptedMediaType(header) else {
            throw IngestError(
                status: .unsupportedMediaType, code: "unsupported_media_type",
                details: [ValidationProblem(field: "content-type", problem: "must be application/json (or text/plain holding JSON), got \(header ?? "none")")])
        }
    }

    /// Whether a Content-Type's media type (before any `;` parameters, spaces
    /// trimmed, any case) is application/json or text/plain. Compares bytes: the
    /// Foundation split, trim and lowercase it replaced measured hot under load
    /// (docs/performance.md, "What changed since the first run").
    static func isAcceptedMediaType(_ header: String) -> Bool {
        var utf8 = header.utf8[...]
        if let semicolon = utf8.firstIndex(of: UInt8(ascii: ";")) { utf8 = utf8[..<semicolon] }
        let isSpace = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        while let first = utf8.first, isSpace(first) { utf8 = utf8.dropFirst() }
        while let last = utf8.last, isSpace(last) { utf8 = utf8.dropLast() }
        func equalsIgnoringCase(_ expected: StaticString) -> Bool {
            guard utf8.count == expected.utf8CodeUnitCount else { return false }
            var offset = 0
            for actual in utf8 {
                let lowered: UInt8 = actual >= 0x41 && actual <= 0x5A ? actual | 0x20 : actual
                if lowered != expected.utf8Start[offset] { return false }
                offset += 1
            }
            return true
        }
        return equalsIgnoringCase("application/json") || equalsIgnoringCase("text/plain")
    }
}
