/// Why `SLUICE_FUNNELS` cannot be read: the funnel and step at fault (when known) and
/// what is wrong, so the start-up message points at the item to fix.
public struct FunnelSettingsError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The funnel's name, or `#<position>` while it has none.
    public let funnel: String?
    /// The step's position (1-based) and text.
    public let step: (number: Int, text: String)?
    /// What is wrong and how a valid value looks.
    public let problem: String

    init(funnel: String? = nil, step: (Int, String)? = nil, _ problem: String) {
        self.funnel = funnel
        self.step = step
        self.problem = problem
    }

    public var description: String {
        var place: [String] = []
        if let funnel { place.append("funnel \"\(funnel)\"") }
        if let step { place.append("step \(step.number) \"\(step.text)\"") }
        return (place.isEmpty ? "" : place.joined(separator: ", ") + ": ") + problem
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.funnel == b.funnel && a.step?.number == b.step?.number && a.step?.text == b.step?.text && a.problem == b.problem
    }
}
