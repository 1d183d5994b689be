import SluiceCore

/// `SLUICE_FUNNELS`, read alike by the worker (which counts progress), the dashboard
/// (which labels it) and `sluicectl rollups` (which recounts it):
/// `checkout: /pricing > auth/signup > payment/succeeded; onboarding: /welcome > /setup`.
///
/// Funnels are separated by `;`, a name from its steps by `:`, steps by `>`; spaces
/// around any part are ignored. A step starting with `/` is a page path, any other is a
/// user event's `type/name` (split at the first `/`). Unset or empty: no funnels.
public struct FunnelSettings: Sendable, Equatable {
    /// The setting (declared with the others every process reads).
    static let setting = Setting.funnels
    /// Funnels at most.
    public static let maxFunnels = 10
    /// Steps per funnel.
    public static let stepRange = 2...8
    /// A name's longest length.
    public static let maxNameLength = 40

    /// The funnels, in the order given.
    public let funnels: [Funnel]

    /// No funnels.
    public init() { funnels = [] }

    /// Parses the setting's text.
    public init(parsing text: String) throws(FunnelSettingsError) {
        var funnels: [Funnel] = []
        let items = text.split(separator: ";", omittingEmptySubsequences: false).map(Self.trimmed)
        // A trailing `;` (or an empty text) leaves an empty last item.
        for (index, item) in items.enumerated() where !(item.isEmpty && index == items.count - 1) {
            let funnel = try Self.funnel(item, position: index + 1)
            if funnels.contains(where: { $0.name == funnel.name }) { throw FunnelSettingsError(funnel: funnel.name, "a name given to two funnels") }
            funnels.append(funnel)
        }
        guard funnels.count <= Self.maxFunnels else {
            throw FunnelSettingsError("\(funnels.count) funnels: at most \(Self.maxFunnels) (name: step > step; name: step > step)")
        }
        self.funnels = funnels
    }

    /// Reads `SLUICE_FUNNELS` from `settings`.
    public init(settings: Settings) throws(ConfigurationError) {
        guard let text = settings.optionalString(Self.setting) else {
            self.init()
            return
        }
        do {
            try self.init(parsing: text)
        } catch {
            throw ConfigurationError(variable: Self.setting.variable, value: text, expected: "funnels as name: step > step; ... (\(error))")
        }
    }

    /// The funnel named `name`.
    public func funnel(named name: String) -> Funnel? { funnels.first { $0.name == name } }

    /// The start-up summary's value.
    public var summary: String {
        funnels.isEmpty ? "(unset: no funnels)" : funnels.map { "\($0.name): " + $0.steps.map(\.label).joined(separator: " > ") }.joined(separator: "; ")
    }

    private static func funnel(_ item: Substring, position: Int) throws(FunnelSettingsError) -> Funnel {
        guard let colon = item.firstIndex(of: ":") else {
            throw FunnelSettingsError(funnel: "#\(position)", "\"\(item)\" has no name: write name: step > step")
        }
        let name = String(trimmed(item[..<colon]))
        let validName =
            !name.isEmpty && name.count <= maxNameLength
            && name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" || $0 == "-" }
        guard validName else {
            throw FunnelSettingsError(funnel: name.isEmpty ? "#\(position)" : name, "a name is 1 to \(maxNameLength) of a-z, 0-9, _ and -")
        }
        let texts = item[item.index(after: colon)...].split(separator: ">", omittingEmptySubsequences: false).map(trimmed)
        var steps: [Funnel.Step] = []
        for (index, text) in texts.enumerated() {
            let step = try Self.step(text, funnel: name, number: index + 1)
            if steps.contains(step) { throw FunnelSettingsError(funnel: name, step: (index + 1, String(text)), "the same step twice in one funnel") }
            steps.append(step)
        }
        guard stepRange.contains(steps.count) else {
            throw FunnelSettingsError(
                funnel: name,
                "\(steps.count) step\(steps.count == 1 ? "" : "s"): a funnel has \(stepRange.lowerBound) to \(stepRange.upperBound), separated by >")
        }
        return Funnel(name: name, steps: steps)
    }

    private static func step(_ text: Substring, funnel: String, number: Int) throws(FunnelSettingsError) -> Funnel.Step {
        func invalid(_ problem: String) -> FunnelSettingsError { FunnelSettingsError(funnel: funnel, step: (number, String(text)), problem) }
        guard !text.isEmpty else { throw invalid("an empty step: a page path (/pricing) or a user event (type/name)") }
        guard text.utf8.count <= RollupDelta.maxValueBytes / 2 - 1 else {
            throw invalid("longer than \(RollupDelta.maxValueBytes / 2 - 1) bytes")
        }
        if text.hasPrefix("/") {
            guard !text.contains(where: { $0.isWhitespace || $0 == "?" || $0 == "#" }) else {
                throw invalid("a page path holds no spaces, query string or fragment: the stored path has none")
            }
            return .page(path: String(Funnel.comparable(path: text)))
        }
        guard let slash = text.firstIndex(of: "/"), slash != text.startIndex, text.index(after: slash) != text.endIndex else {
            throw invalid("a page path starts with / (/pricing); a user event is type/name (auth/signup)")
        }
        return .event(type: String(text[..<slash]), name: String(text[text.index(after: slash)...]))
    }

    private static func trimmed(_ text: Substring) -> Substring {
        guard let first = text.firstIndex(where: { !$0.isWhitespace }), let last = text.lastIndex(where: { !$0.isWhitespace }) else { return "" }
        return text[first...last]
    }
}
