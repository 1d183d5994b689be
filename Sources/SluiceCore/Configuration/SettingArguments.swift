/// A server's command line, read against its declared settings: every option is a
/// `Setting`'s flag, `--flag value` or `--flag=value` (given twice, the last wins, as
/// ArgumentParser's options did), so a setting needs no property of its own in the command. ArgumentParser hands these words over unparsed (an
/// `.allUnrecognized` argument) and lists the settings in `--help` from `helpListing`.
public struct SettingArguments: Sendable {
    /// The value of each flag given, by its setting's variable: what `Settings` layers over
    /// the environment.
    public let overrides: [String: String]

    /// Reads `words` (the arguments after the command's name) against `declared`; a
    /// number is checked against its range here, so the error names the flag typed.
    public init(_ words: [String], declared: [Setting]) throws(SettingArgumentError) {
        let byFlag = Dictionary(declared.map { ($0.flag, $0) }, uniquingKeysWith: { first, _ in first })
        var overrides: [String: String] = [:]
        var index = words.startIndex
        while index < words.endIndex {
            let word = words[index]
            index += 1
            guard word.hasPrefix("--"), word.count > 2 else { throw .unexpected(position: index, word.hasPrefix("-") ? word : nil) }
            let option = word.dropFirst(2)
            let name = String(option.prefix { $0 != "=" })
            guard let setting = byFlag[name] else {
                throw .unknownFlag("--" + name, closest: Self.closest(to: name, in: declared.map(\.flag)).map { "--" + $0 })
            }
            let value: String
            if option.count > name.count {
                value = String(option.dropFirst(name.count + 1))
            } else if index < words.endIndex, !words[index].hasPrefix("--") {
                value = words[index]
                index += 1
            } else {
                throw .missingValue("--" + name)
            }
            try Self.check(value, of: setting)
            overrides[setting.variable] = value
        }
        self.overrides = overrides
    }

    private static func check(_ value: String, of setting: Setting) throws(SettingArgumentError) {
        let range: ClosedRange<Int>
        let unit: String
        switch setting.kind {
        case .text: return
        case .number(let declared): (range, unit) = (declared, "a whole number")
        case .seconds(let declared): (range, unit) = (declared, "whole seconds")
        }
        guard let number = Int(value), range.contains(number) else {
            throw .invalidValue("--" + setting.flag, value: value, expected: "\(unit) from \(range.lowerBound) to \(range.upperBound)")
        }
    }

    /// The declared flag nearest to a mistyped one, when it is near enough to be the one meant.
    private static func closest(to name: String, in flags: [String]) -> String? {
        let scored = flags.map { (flag: $0, distance: editDistance(Array(name), Array($0))) }
        guard let best = scored.min(by: { $0.distance < $1.distance }), best.distance <= max(2, name.count / 3) else { return nil }
        return best.flag
    }

    private static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        var previous = Array(0...b.count)
        for (i, left) in a.enumerated() {
            var current = [i + 1]
            for (j, right) in b.enumerated() {
                current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (left == right ? 0 : 1)))
            }
            previous = current
        }
        return previous[b.count]
    }

    /// The settings as `--help` lists them, under a heading: each flag with its help text,
    /// wrapped to `width` columns under a hanging indent (ArgumentParser keeps the lines of
    /// a command's discussion that fit its 80-column default).
    public static func helpListing(_ settings: [Setting], width: Int = 79) -> String {
        let entries = settings.map { wrapped("--\($0.flag) <value>  \($0.helpText)", width: width) }
        return "SETTINGS (each flag also has its variable; a flag given wins over it):\n" + entries.joined(separator: "\n")
    }

    /// `text` in lines of at most `width` columns (a longer word stands alone), the first
    /// indented 2 columns, the rest 6.
    private static func wrapped(_ text: String, width: Int) -> String {
        var lines: [String] = []
        var line = "  "
        for word in text.split(separator: " ", omittingEmptySubsequences: false) {
            if line.count + 1 + word.count > width, !line.allSatisfy({ $0 == " " }) {
                lines.append(line)
                line = "      " + word
            } else {
                line += (line.allSatisfy { $0 == " " } ? "" : " ") + word
            }
        }
        lines.append(line)
        return lines.joined(separator: "\n")
    }
}

extension Settings {
    /// A server's settings: the flags in `arguments` (read against `declared`) over `environment`.
    public init(environment: [String: String], arguments: [String], declared: [Setting]) throws(SettingArgumentError) {
        self.init(environment: environment, overrides: try SettingArguments(arguments, declared: declared).overrides)
    }
}

/// A command line a server cannot start with, naming the flag and what is wrong.
public enum SettingArgumentError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A flag no setting of this process has, with the declared one it most resembles.
    case unknownFlag(String, closest: String?)
    /// A flag at the end of the line, or followed by another flag, with no value.
    case missingValue(String)
    /// A value outside what the setting accepts.
    case invalidValue(String, value: String, expected: String)
    /// A word that is not a `--flag` where one was expected, by its position among the
    /// arguments (1 is the first); the word itself only when it looks like an option, since
    /// a stray value may be a secret (a token split by a space).
    case unexpected(position: Int, String?)

    public var description: String {
        switch self {
        case .unknownFlag(let flag, let closest):
            "unknown option \(flag)" + (closest.map { "; did you mean \($0)?" } ?? "") + " (--help lists every option)"
        case .missingValue(let flag): "\(flag) needs a value: \(flag) <value> or \(flag)=<value>"
        case .invalidValue(let flag, let value, let expected): "\(flag) \(value) is not valid: expected \(expected)"
        case .unexpected(let position, let word):
            "unexpected argument \(word.map { "'\($0)'" } ?? "\(position)") (a value with no --flag before it?): every option is --flag <value> (--help lists them)"
        }
    }
}
