import CMongoc
import Logging

/// Process-wide libmongoc set-up, done exactly once.
enum MongocRuntime {
    /// Touch this before any libmongoc call. Swift initializes a global `let`
    /// lazily and exactly once (thread-safe), which is the once-per-process
    /// guarantee `mongoc_init()` needs. `mongoc_cleanup()` is never called:
    /// the library lives as long as the process.
    static let initialized: Bool = {
        mongoc_init()
        // libmongoc prints warnings to stderr by default; send them through
        // swift-log so they honour the process's log handler and level.
        mongoc_log_set_handler(
            { level, domain, message, _ in
                let text = message.map { String(cString: $0) } ?? ""
                let source = domain.map { String(cString: $0) } ?? "mongoc"
                MongocRuntime.logger.log(
                    level: MongocRuntime.logLevel(level), "\(text)",
                    metadata: ["sluice.mongoc.domain": "\(source)"])
            }, nil)
        return true
    }()

    /// The logger for messages that libmongoc emits on its own threads.
    static let logger = Logger(label: "sluice.mongoc")

    static func logLevel(_ level: mongoc_log_level_t) -> Logger.Level {
        switch level {
        case MONGOC_LOG_LEVEL_ERROR: .error
        case MONGOC_LOG_LEVEL_CRITICAL: .critical
        case MONGOC_LOG_LEVEL_WARNING: .warning
        case MONGOC_LOG_LEVEL_MESSAGE, MONGOC_LOG_LEVEL_INFO: .info
        case MONGOC_LOG_LEVEL_DEBUG: .debug
        default: .trace
        }
    }
}
