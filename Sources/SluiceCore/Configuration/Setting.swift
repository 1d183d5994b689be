/// One setting, declared once: its environment variable, its command-line flag, what it
/// means, its default and how values are checked. The flag's `--help` text, the default
/// used when the setting is unset and the name on the start-up summary all come from here.
///
/// The settings every process reads alike are declared in SluiceCore (Setting+Shared.swift);
/// each process declares its own beside its configuration (`IngestSettings`, `WorkerSettings`,
/// `DashboardSettings`) and lists them in the order its `--help` shows them.
public struct Setting: Sendable, Hashable {
    /// How a value is read.
    public enum Kind: Sendable, Hashable {
        /// Text, checked (if at all) by the configuration that reads it.
        case text
        /// A whole number within the range.
        case number(ClosedRange<Int>)
        /// A duration in whole seconds within the range.
        case seconds(ClosedRange<Int>)
    }

    /// The environment variable, `SLUICE_…`.
    public let variable: String
    /// The long flag without its dashes, e.g. `batch-size`.
    public let flag: String
    /// What the setting does, as `--help` says it before the variable and default.
    public let help: String
    /// The value used when the setting is unset or empty; empty when there is none.
    public let defaultValue: String
    /// How `--help` states the default when `default <value>` would not say it
    /// (e.g. `default: host name`); nil for `default <value>`, or nothing when there is no default.
    public let defaultPhrase: String?
    /// How a value is read.
    public let kind: Kind
    /// Whether the value is a secret: `--help` advises the variable (flags show in `ps`).
    public let isSecret: Bool

    /// A text setting.
    public static func text(
        _ variable: String, flag: String, help: String, default defaultValue: String = "", defaultPhrase: String? = nil, isSecret: Bool = false
    ) -> Setting {
        Setting(variable: variable, flag: flag, help: help, defaultValue: defaultValue, defaultPhrase: defaultPhrase, kind: .text, isSecret: isSecret)
    }

    /// A whole-number setting within `range`.
    public static func number(
        _ variable: String, flag: String, help: String, default defaultValue: Int, range: ClosedRange<Int>, defaultPhrase: String? = nil
    ) -> Setting {
        Setting(
            variable: variable, flag: flag, help: help, defaultValue: String(defaultValue), defaultPhrase: defaultPhrase, kind: .number(range),
            isSecret: false)
    }

    /// A duration in whole seconds within `range`.
    public static func seconds(
        _ variable: String, flag: String, help: String, default defaultValue: Int, range: ClosedRange<Int>, defaultPhrase: String? = nil
    ) -> Setting {
        Setting(
            variable: variable, flag: flag, help: help, defaultValue: String(defaultValue), defaultPhrase: defaultPhrase, kind: .seconds(range),
            isSecret: false)
    }

    /// The same setting (variable, flag, default, checks) described for one process, where
    /// it means something of its own there (the dashboard's `SLUICE_ADMIN_TOKEN` locks its
    /// pages, ingest's one route); `defaultPhrase` rewords what unset means there.
    public func described(_ help: String, defaultPhrase: String? = nil) -> Setting {
        Setting(
            variable: variable, flag: flag, help: help, defaultValue: defaultValue, defaultPhrase: defaultPhrase ?? self.defaultPhrase, kind: kind,
            isSecret: isSecret)
    }

    /// The flag's `--help` text: what it does, then its variable, default and any advice.
    public var helpText: String {
        var source = variable
        if let defaultPhrase {
            source += ", " + defaultPhrase
        } else if !defaultValue.isEmpty {
            source += ", default " + defaultValue
        }
        if isSecret { source += "; prefer the variable: flags show in ps" }
        return "\(help) (\(source))."
    }
}

extension Settings {
    /// Command-line values layered over `environment`: each flag given wins over its variable.
    public init(environment: [String: String], flags: KeyValuePairs<Setting, (any CustomStringConvertible)?>) {
        var overrides: [String: String] = [:]
        for (setting, value) in flags {
            if let value { overrides[setting.variable] = value.description }
        }
        self.init(environment: environment, overrides: overrides)
    }

    /// A text setting, or its default when unset or empty.
    public func string(_ setting: Setting) -> String {
        string(setting.variable, default: setting.defaultValue)
    }

    /// A text setting, or nil when unset or empty (its default, if any, is the caller's to apply).
    public func optionalString(_ setting: Setting) -> String? {
        optionalString(setting.variable)
    }

    /// A whole-number or seconds setting, or its default when unset; a value outside its range is an error.
    public func number(_ setting: Setting) throws(ConfigurationError) -> Int {
        let defaultValue = Int(setting.defaultValue) ?? 0
        switch setting.kind {
        case .number(let range): return try integer(setting.variable, default: defaultValue, range: range)
        case .seconds(let range): return try seconds(setting.variable, default: defaultValue, range: range)
        case .text: preconditionFailure("\(setting.variable) is declared as text, not a number")
        }
    }
}
