/// Why a `UserAgentParser` could not be built from a uap-core regexes file.
public enum UserAgentError: Error, Equatable, CustomStringConvertible {
    /// The regexes file does not exist at `path`.
    case regexesFileNotFound(path: String)
    /// The file exists but could not be read (permissions, a directory, an I/O error).
    case regexesFileUnreadable(path: String, reason: String)
    /// The file is not in the YAML shape uap-core uses.
    case malformedRegexes(path: String, line: Int, reason: String)
    /// One of `user_agent_parsers`, `os_parsers`, `device_parsers` is missing or an entry lacks `regex`.
    case missingRules(path: String, section: String, reason: String)
    /// PCRE2 rejected a rule's regex.
    case invalidRegex(path: String, section: String, index: Int, pattern: String, message: String)

    public var description: String {
        switch self {
        case .regexesFileNotFound(let path):
            return "uap-core regexes file not found at \(path): install uap-core (apt-get install uap-core) "
                + "or pass the path of a regexes.yaml to UserAgentParser(regexesPath:)"
        case .regexesFileUnreadable(let path, let reason):
            return "cannot read uap-core regexes file \(path): \(reason); check that it is a readable file"
        case .malformedRegexes(let path, let line, let reason):
            return "uap-core regexes file \(path), line \(line): \(reason); "
                + "reinstall uap-core or point regexesPath at an unmodified regexes.yaml"
        case .missingRules(let path, let section, let reason):
            return "uap-core regexes file \(path), section \(section): \(reason); "
                + "is this a uap-core regexes.yaml?"
        case .invalidRegex(let path, let section, let index, let pattern, let message):
            return "uap-core regexes file \(path), \(section)[\(index)]: PCRE2 rejected '\(pattern)': \(message)"
        }
    }
}
