import Logging

/// A logger for one Sluice process at the level `SLUICE_LOG_LEVEL` names (default info).
public func makeLogger(label: String, settings: Settings) throws(ConfigurationError) -> Logger {
    let name = settings.string(Setting.logLevel).lowercased()
    guard let level = Logger.Level(rawValue: name) else {
        throw ConfigurationError(variable: Setting.logLevel.variable, value: name, expected: "one of trace, debug, info, notice, warning, error, critical")
    }
    var logger = Logger(label: label) { ProcessLogHandler(label: $0) }
    logger.logLevel = level
    return logger
}

/// Writes what swift-log's standard-output handler writes, in the same format,
/// but keeps a logger's metadata as it is until a line is logged. The stock
/// handler formats all metadata again whenever one key is set, and Hummingbird
/// sets a request id on its logger for every request, which measured hot under
/// load for a logger that logs nothing per request (docs/performance.md, "What
/// changed since the first run").
struct ProcessLogHandler: LogHandler {
    /// Writes the lines; its own metadata stays empty.
    private var output: StreamLogHandler
    var metadata: Logger.Metadata = [:]

    init(label: String) {
        output = StreamLogHandler.standardOutput(label: label)
    }

    var logLevel: Logger.Level {
        get { output.logLevel }
        set { output.logLevel = newValue }
    }

    var metadataProvider: Logger.MetadataProvider? {
        get { output.metadataProvider }
        set { output.metadataProvider = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var event = event
        if !metadata.isEmpty { event.metadata = metadata.merging(event.metadata ?? [:]) { _, explicit in explicit } }
        output.log(event: event)
    }
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
