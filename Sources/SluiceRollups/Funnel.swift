/// A conversion funnel of `SLUICE_FUNNELS` (docs/derived-data.md, "Funnels"): steps a
/// visitor reaches in order, each a page view of a path or a user event of a type and name.
public struct Funnel: Sendable, Equatable {
    /// One step: what event reaches it.
    public enum Step: Sendable, Hashable {
        /// A page view whose stored `path` is this one (one trailing slash ignored).
        case page(path: String)
        /// A user event with this `eventType` and `eventName`, unless sent with `success: false`.
        case event(type: String, name: String)

        /// The step as configured and shown: `/pricing`, `auth/signup`.
        public var label: String {
            switch self {
            case .page(let path): path
            case .event(let type, let name): type + "/" + name
            }
        }
    }

    /// `[a-z0-9_-]`, 1 to `FunnelSettings.maxNameLength` characters.
    public let name: String
    /// 2 to `FunnelSettings.maxSteps` distinct steps, in the order they must be reached.
    public let steps: [Step]

    public init(name: String, steps: [Step]) {
        self.name = name
        self.steps = steps
    }

    /// The field of a visitor's state hash holding its progress through this funnel.
    public var visitorField: String { Self.visitorFieldPrefix + name }
    /// What every visitor-state funnel field starts with.
    public static let visitorFieldPrefix = "f|"
    /// What the field of each step's event times starts with (`ft|<funnel>`).
    public static let visitorTimesFieldPrefix = "ft|"
    /// Event times kept per step and visitor: the latest not after the step's own time.
    public static let keptTimes = 16

    /// The roll-up row (`RollupDimension.funnel`) counting visitors who reached step `step`
    /// (1-based): the funnel's name and the step's number as a two-part value.
    public func rowValue(step: Int) -> String { name + String(RollupDelta.valueSeparator) + String(step) }

    /// `path` as steps compare it: without one trailing slash, except the root `/`.
    static func comparable(path: Substring) -> Substring {
        path.count > 1 && path.hasSuffix("/") ? path.dropLast() : path
    }
}
