import SluiceCore
import SluiceMongo
import SluiceValidation

/// The properties every input must keep: no trap in the parser, the redactor, the
/// URL scrubber or the validator, and every event the validator accepts is one the worker can
/// decode and MongoDB can store.
enum FuzzedInput {
    /// The ingest defaults, as `make run` starts it.
    static let limits = EventLimits()
    /// The redactor with every built-in kind, as ingest runs by default.
    static let redactor = Redactor()
    /// The validator as ingest builds it by default (with its default URL scrubbing).
    static let validator = EventValidator(limits: limits, redactor: redactor)
    /// A request of a visitor with a cookie and a site's write key.
    static let stamp = RequestStamp(
        receivedAt: 1_764_590_400_000, ip: "203.0.113.0", userAgent: "Mozilla/5.0 (fuzz)", cookieVisitorId: "v-cookie", siteId: "site-1")

    /// The URL scrubber with the default secret parameters, as ingest runs it.
    static let urlScrubber = URLScrubber()

    /// Checks one input: as free text through the redactor and the URL scrubber,
    /// then as a body on every route.
    static func check(_ bytes: UnsafeRawBufferPointer) {
        let text = String(decoding: bytes, as: UTF8.self)
        checkRedaction(of: text)
        checkScrubbing(of: text)
        guard let body = try? JSONParser.parse(bytes, maxDepth: limits.maxDepth) else { return }
        for kind in EventKind.allCases {
            if case .success(let event) = validator.validate(body, kind: kind, stamp: stamp) {
                requireStorable(event, route: kind.rawValue)
            }
        }
        if case .success(let events) = validator.validateBatch(body, stamp: stamp) {
            for event in events { requireStorable(event, route: "batch") }
        }
    }

    /// A text without a match comes back unchanged.
    static func checkRedaction(of text: String) {
        let (redacted, count) = redactor.redact(text)
        if count == 0 && redacted != text {
            fail("the redactor changed a text without counting a match", text)
        }
    }

    /// No fragment survives the scrubber, and a URL it reports unchanged comes back as it was.
    static func checkScrubbing(of url: String) {
        let (scrubbed, changed) = urlScrubber.scrub(url)
        if scrubbed.utf8.contains(UInt8(ascii: "#")) {
            fail("the URL scrubber kept a fragment", url)
        }
        if !changed && scrubbed != url {
            fail("the URL scrubber changed a URL it reported unchanged", url)
        }
    }

    /// The accepted event's canonical JSON parses as the worker parses it, has the
    /// fields the worker requires, and becomes a BSON document that libbson's
    /// validation passes, built field by field as the worker builds it.
    static func requireStorable(_ event: ValidatedEvent, route: String) {
        let canonical = String(decoding: event.json, as: UTF8.self)
        guard case .object(let fields)? = try? JSONParser.parse(event.json) else {
            fail("\(route): the canonical event is not a JSON object the worker can parse", canonical)
        }
        guard fields["type"]?.stringValue == event.kind.rawValue, fields["id"]?.stringValue?.isEmpty == false,
            fields["visitorId"]?.stringValue != nil, case .int? = fields["timestamp"]
        else {
            fail("\(route): the canonical event lacks a field the worker requires (type, id, visitorId, timestamp)", canonical)
        }
        let document = BSONDocumentBuilder()
        for member in fields.members { document.append(member.key, json: member.value) }
        if let problem = document.storageProblem {
            fail("\(route): accepted, but MongoDB cannot store it: \(problem)", canonical)
        }
    }

    /// Traps with the property that failed and the text it failed on (shortened).
    static func fail(_ property: String, _ text: String) -> Never {
        fatalError("\(property)\n\(text.prefix(2_000).debugDescription)")
    }
}
