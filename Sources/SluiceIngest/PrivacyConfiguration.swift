import Foundation
import SluiceCore
import SluiceValidation

/// How ingest treats the people behind the events (docs/privacy.md).
public struct PrivacyConfiguration: Sendable {
    private typealias S = IngestSettings

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
        func choice<T: RawRepresentable & CaseIterable>(_ setting: Setting, as _: T.Type) throws(ConfigurationError) -> T where T.RawValue == String {
            let text = settings.string(setting).lowercased()
            guard let value = T(rawValue: text) else {
                throw ConfigurationError(variable: setting.variable, value: text, expected: "one of " + T.allCases.map(\.rawValue).joined(separator: ", "))
            }
            return value
        }
        ipMode = try choice(S.ipMode, as: IPMode.self)
        doNotTrack = try choice(S.doNotTrack, as: DoNotTrackMode.self)
        let cookielessText = settings.string(S.cookieless).lowercased()
        guard ["true", "false", "1", "0", "yes", "no"].contains(cookielessText) else {
            throw ConfigurationError(variable: S.cookieless.variable, value: cookielessText, expected: "true or false")
        }
        cookieless = ["true", "1", "yes"].contains(cookielessText)
        let redactText = settings.string(S.redact).lowercased()
        if redactText == "none" {
            redaction = []
        } else {
            var kinds = Set<Redactor.Kind>()
            for name in redactText.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
                guard let kind = Redactor.Kind(rawValue: name) else {
                    throw ConfigurationError(variable: S.redact.variable, value: redactText, expected: "a comma-separated list of email, phone, card, or none")
                }
                kinds.insert(kind)
            }
            redaction = kinds
        }
        redactionPatternsPath = settings.optionalString(S.redactPatterns)
        customRedaction = try redactionPatternsPath.map { path throws(ConfigurationError) in try RedactionPatterns.load(path: path) } ?? []
        let secretParameters = settings.string(S.urlSecretParams)
        let patterns = secretParameters.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !patterns.isEmpty, patterns.allSatisfy({ $0.contains { $0 != "*" } }) else {
            throw ConfigurationError(
                variable: S.urlSecretParams.variable, value: secretParameters,
                expected: "a comma-separated list of parameter names, each with an optional leading or trailing * (e.g. *token*,code), or none")
        }
        urlScrubber = URLScrubber(secretParameters: patterns.map { $0.lowercased() } == ["none"] ? [] : patterns)
        trustedProxiesText = settings.string(S.trustedProxies)
        var proxies: [IPNetwork] = []
        for entry in trustedProxiesText.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !entry.isEmpty {
            guard let network = IPNetwork(entry) else {
                throw ConfigurationError(
                    variable: S.trustedProxies.variable, value: trustedProxiesText, expected: "comma-separated addresses or CIDR ranges, e.g. 10.0.0.0/8,::1")
            }
            proxies.append(network)
        }
        trustedProxies = proxies
        proxyHeader = try choice(S.proxyHeader, as: ProxyHeader.self)
    }

    /// The settings as printed at start-up.
    public var summary: [(String, String)] {
        [
            (S.ipMode.variable, ipMode.rawValue), (S.doNotTrack.variable, doNotTrack.rawValue), (S.cookieless.variable, String(cookieless)),
            (S.redact.variable, redaction.isEmpty ? "none" : redaction.map(\.rawValue).sorted().joined(separator: ",")),
            (S.redactPatterns.variable, redactionPatternsPath.map { "\($0) (\(customRedaction.map(\.name).joined(separator: ", ")))" } ?? "(none)"),
            (S.urlSecretParams.variable, urlScrubber.map { $0.secretParameters.isEmpty ? "none" : $0.secretParameters.joined(separator: ",") } ?? "none"),
            (S.trustedProxies.variable, trustedProxiesText.isEmpty ? "(none: the socket address is the client)" : trustedProxiesText),
            (S.proxyHeader.variable, proxyHeader.rawValue),
        ]
    }
}
