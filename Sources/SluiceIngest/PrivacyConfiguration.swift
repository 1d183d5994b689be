import Foundation
import SluiceCore
import SluiceValidation

/// How ingest treats the people behind the events (docs/privacy.md).
public struct PrivacyConfiguration: Sendable {
    /// `SLUICE_IP_MODE`: what is kept of the client address.
    public typealias IPMode = AddressRetention

    /// `SLUICE_DNT`: what a `DNT: 1` or `Sec-GPC: 1` request gets.
    public enum DoNotTrackMode: String, Sendable, CaseIterable {
        /// Stored without a cookie or any stable id (default).
        case anonymous
        /// Not stored; answered 204.
        case drop
        /// Treated like any other request.
        case ignore
    }

    /// `SLUICE_PROXY_HEADER`: the one forwarding header a trusted proxy's word is read from.
    public enum ProxyHeader: String, Sendable, CaseIterable {
        /// `X-Forwarded-For` (and `X-Forwarded-Proto`), what nginx, HAProxy and cloud load balancers append (default).
        case xForwardedFor = "x-forwarded-for"
        /// `Forwarded` (RFC 7239): `for=` and `proto=`.
        case forwarded
    }

    /// `SLUICE_IP_MODE`.
    public var ipMode: IPMode
    /// `SLUICE_DNT`.
    public var doNotTrack: DoNotTrackMode
    /// `SLUICE_COOKIELESS`: no cookie; visitor id = keyed hash of site, anonymised IP, user agent and a daily salt.
    public var cookieless: Bool
    /// `SLUICE_REDACT`: kinds scrubbed from chat texts and free-form fields (`email,phone,card` by default; `none`).
    public var redaction: Set<Redactor.Kind>
    /// `SLUICE_REDACT_PATTERNS`: a JSON file of extra named regular expressions to scrub.
    public var redactionPatternsPath: String?
    /// The rules loaded from `redactionPatternsPath`.
    public var customRedaction: [RedactionRule]
    /// `SLUICE_URL_SECRET_PARAMS`: query parameters whose values are redacted in page
    /// URLs, referrers and endpoints (patterns with `*`; `none` keeps URLs as sent
    /// but for their fragment and user info); nil when `none`.
    public var urlScrubber: URLScrubber?
    /// `SLUICE_TRUSTED_PROXIES`: addresses whose forwarding header (`SLUICE_PROXY_HEADER`) is believed.
    public var trustedProxies: [IPNetwork]
    /// The raw `SLUICE_TRUSTED_PROXIES` text, for the start-up summary.
    public var trustedProxiesText: String
    /// `SLUICE_PROXY_HEADER`: which header a trusted proxy names the client in; the other is ignored.
    public var proxyHeader: ProxyHeader

    /// Reads the settings.
    public init(settings: Settings) throws(ConfigurationError) {
        func choice<T: RawRepresentable & CaseIterable>(_ name: String, _ fallback: T) throws(ConfigurationError) -> T where T.RawValue == String {
            let text = settings.string(name, default: fallback.rawValue).lowercased()
            guard let value = T(rawValue: text) else {
                throw ConfigurationError(variable: name, value: text, expected: "one of " + T.allCases.map(\.rawValue).joined(separator: ", "))
            }
            return value
        }
        ipMode = try choice("SLUICE_IP_MODE", IPMode.anonymize)
        doNotTrack = try choice("SLUICE_DNT", DoNotTrackMode.anonymous)
        let cookielessText = settings.string("SLUICE_COOKIELESS", default: "false").lowercased()
        guard ["true", "false", "1", "0", "yes", "no"].contains(cookielessText) else {
            throw ConfigurationError(variable: "SLUICE_COOKIELESS", value: cookielessText, expected: "true or false")
        }
        cookieless = ["true", "1", "yes"].contains(cookielessText)
        let redactText = settings.string("SLUICE_REDACT", default: "email,phone,card").lowercased()
        if redactText == "none" {
            redaction = []
        } else {
            var kinds = Set<Redactor.Kind>()
            for name in redactText.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
                guard let kind = Redactor.Kind(rawValue: name) else {
                    throw ConfigurationError(variable: "SLUICE_REDACT", value: redactText, expected: "a comma-separated list of email, phone, card, or none")
                }
                kinds.insert(kind)
            }
            redaction = kinds
        }
        redactionPatternsPath = settings.optionalString("SLUICE_REDACT_PATTERNS")
        customRedaction = try redactionPatternsPath.map { path throws(ConfigurationError) in try RedactionPatterns.load(path: path) } ?? []
        let secretParameters = settings.string("SLUICE_URL_SECRET_PARAMS", default: URLScrubber.defaultSecretParameters.joined(separator: ","))
        let patterns = secretParameters.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !patterns.isEmpty, patterns.allSatisfy({ $0.contains { $0 != "*" } }) else {
            throw ConfigurationError(
                variable: "SLUICE_URL_SECRET_PARAMS", value: secretParameters,
                expected: "a comma-separated list of parameter names, each with an optional leading or trailing * (e.g. *token*,code), or none")
        }
        urlScrubber = URLScrubber(secretParameters: patterns.map { $0.lowercased() } == ["none"] ? [] : patterns)
        trustedProxiesText = settings.string("SLUICE_TRUSTED_PROXIES", default: "")
        var proxies: [IPNetwork] = []
        for entry in trustedProxiesText.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !entry.isEmpty {
            guard let network = IPNetwork(entry) else {
                throw ConfigurationError(
                    variable: "SLUICE_TRUSTED_PROXIES", value: trustedProxiesText, expected: "comma-separated addresses or CIDR ranges, e.g. 10.0.0.0/8,::1")
            }
            proxies.append(network)
        }
        trustedProxies = proxies
        proxyHeader = try choice("SLUICE_PROXY_HEADER", ProxyHeader.xForwardedFor)
    }

    /// The settings as printed at start-up.
    public var summary: [(String, String)] {
        [
            ("SLUICE_IP_MODE", ipMode.rawValue), ("SLUICE_DNT", doNotTrack.rawValue), ("SLUICE_COOKIELESS", String(cookieless)),
            ("SLUICE_REDACT", redaction.isEmpty ? "none" : redaction.map(\.rawValue).sorted().joined(separator: ",")),
            ("SLUICE_REDACT_PATTERNS", redactionPatternsPath.map { "\($0) (\(customRedaction.map(\.name).joined(separator: ", ")))" } ?? "(none)"),
            ("SLUICE_URL_SECRET_PARAMS", urlScrubber.map { $0.secretParameters.isEmpty ? "none" : $0.secretParameters.joined(separator: ",") } ?? "none"),
            ("SLUICE_TRUSTED_PROXIES", trustedProxiesText.isEmpty ? "(none: the socket address is the client)" : trustedProxiesText),
            ("SLUICE_PROXY_HEADER", proxyHeader.rawValue),
        ]
    }
}
