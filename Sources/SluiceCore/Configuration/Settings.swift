/// Reads `SLUICE_*` settings from the environment, with command-line flags layered on top.
///
/// Each process builds its configuration from one of these, so a flag and its
/// variable can never disagree about parsing or defaults.
public struct Settings: Sendable {
    private let values: [String: String]

    /// Settings from `environment`, where any key in `overrides` (flags) wins.
    public init(environment: [String: String], overrides: [String: String] = [:]) {
        values = environment.merging(overrides) { _, flag in flag }
    }

    /// A string setting, or `defaultValue` when unset or empty.
    public func string(_ name: String, default defaultValue: String) -> String {
        guard let value = values[name], !value.isEmpty else { return defaultValue }
        return value
    }

    /// An optional string setting (nil when unset or empty).
    public func optionalString(_ name: String) -> String? {
        guard let value = values[name], !value.isEmpty else { return nil }
        return value
    }

    /// An integer setting within `range`.
    public func integer(_ name: String, default defaultValue: Int, range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
        guard let text = optionalString(name) else { return defaultValue }
        guard let value = Int(text.trimmingWhitespace()), range.contains(value) else {
            throw ConfigurationError(variable: name, value: text, expected: "a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    /// A duration setting in whole seconds (DESIGN.md: `SLUICE_SESSION_TIMEOUT=1800`).
    public func seconds(_ name: String, default defaultValue: Int, range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
        do {
            return try integer(name, default: defaultValue, range: range)
        } catch {
            throw ConfigurationError(variable: name, value: error.value, expected: "whole seconds from \(range.lowerBound) to \(range.upperBound)")
        }
    }
}

extension String {
    fileprivate func trimmingWhitespace() -> Substring {
        var slice = self[...]
        while slice.first?.isWhitespace == true { slice.removeFirst() }
        while slice.last?.isWhitespace == true { slice.removeLast() }
        return slice
    }
}

/// Hides credentials in a connection URL before it is printed or logged.
public func maskedURL(_ url: String) -> String {
    guard let schemeEnd = url.firstRange(of: "://"), let at = url[schemeEnd.upperBound...].lastIndex(of: "@") else { return url }
    let userInfo = url[schemeEnd.upperBound..<at]
    guard let colon = userInfo.firstIndex(of: ":") else {
        // In `redis://secret@host` it is a password alone (RedisEndpoint reads it so); elsewhere a user name.
        return url.hasPrefix("redis") ? String(url[..<schemeEnd.upperBound]) + "****" + String(url[at...]) : url
    }
    return String(url[..<url.index(after: colon)]) + "****" + String(url[at...])
}

/// Hides a secret, keeping only whether it is set.
public func maskedSecret(_ secret: String?) -> String {
    guard let secret, !secret.isEmpty else { return "(not set)" }
    return "****"
}
