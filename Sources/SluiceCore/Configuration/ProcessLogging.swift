import Logging

/// A logger for one Sluice process at the level `SLUICE_LOG_LEVEL` names (default info).
public func makeLogger(label: String, settings: Settings) throws(ConfigurationError) -> Logger {
    let name = settings.string("SLUICE_LOG_LEVEL", default: "info").lowercased()
    guard let level = Logger.Level(rawValue: name) else {
        throw ConfigurationError(variable: "SLUICE_LOG_LEVEL", value: name, expected: "one of trace, debug, info, notice, warning, error, critical")
    }
    var logger = Logger(label: label)
    logger.logLevel = level
    return logger
}

/// Prints the effective configuration at start-up (DESIGN.md: every process does, secrets masked).
public func logEffectiveConfiguration(_ summary: [(String, String)], logger: Logger) {
    let width = summary.map(\.0.count).max() ?? 0
    let lines = summary.map { name, value in "  \(name.padding(toLength: width))  \(value)" }
    logger.info("effective configuration:\n\(lines.joined(separator: "\n"))")
}

extension String {
    fileprivate func padding(toLength length: Int) -> String {
        count >= length ? self : self + String(repeating: " ", count: length - count)
    }
}
